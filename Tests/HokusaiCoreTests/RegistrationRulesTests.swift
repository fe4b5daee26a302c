import Foundation
import Testing

@testable import HokusaiCore

@Suite struct RegistrationRulesTests {
    static let valid: [String: JSONAny] = [
        "model_name": .string("churn"), "version": .string("3"), "token_id": .string("lscor"),
        "proposal_identifier": .string("PROP-1"), "metric_name": .string("accuracy"), "mlflow_run_id": .string("abc"),
        "baseline_value": .double(0.8), "current_value": .double(0.85),
    ]

    func problems(_ changes: [String: JSONAny?]) -> [FieldProblem] {
        var body = Self.valid
        for (key, value) in changes { body[key] = value }
        do {
            _ = try RegistrationRules.tokenizedEvent(body)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func aValidEventIsAccepted() throws {
        let claim = try RegistrationRules.tokenizedEvent(Self.valid)
        #expect(claim.tokenId == "LSCOR" && claim.version == "3" && claim.benchmark.direction == .higherIsBetter)
        #expect(claim.modelId(version: "3") == "churn/3/LSCOR")
    }

    @Test func everyMissingFieldIsNamedAtOnce() {
        let found = problems(["model_name": nil, "token_id": nil, "baseline_value": nil])
        #expect(Set(found.map(\.field)) == ["model_name", "token_id", "baseline_value"])
        #expect(found.allSatisfy { $0.rule == "is required" })
    }

    @Test func typesAndBlanksAreRules() {
        #expect(problems(["model_name": .string("  ")]) == [FieldProblem("model_name", "must not be blank")])
        #expect(problems(["baseline_value": .string("0.8")]) == [FieldProblem("baseline_value", "must be a number")])
        #expect(problems(["version": .string("abc")]).map(\.field) == ["version"])
        #expect(problems(["api_schema": .string("x")]) == [FieldProblem("api_schema", "must be a JSON object")])
        #expect(problems(["eval_spec": .string(String(repeating: "e", count: 501))]).map(\.field) == ["eval_spec"])
        #expect(problems(["token_id": .string("bad token!")]).map(\.field) == ["token_id"])
    }

    @Test func f1ScoreIsF1AndUnknownMetricsNeedADirection() throws {
        var body = Self.valid
        body["metric_name"] = .string("F1_Score")
        #expect(try RegistrationRules.tokenizedEvent(body).benchmark.metricName == "f1")
        let unknown = problems(["metric_name": .string("ndcg_at_10")])
        #expect(unknown.map(\.field) == ["metric_name"])
        #expect(unknown.first?.rule.contains("metric_direction") == true)
        body["metric_name"] = .string("ndcg_at_10")
        body["metric_direction"] = .string("higher_is_better")
        #expect(try RegistrationRules.tokenizedEvent(body).benchmark.metricName == "ndcg_at_10")
    }

    @Test func lowerIsBetterMetricsAreJudgedTheRightWay() throws {
        var body = Self.valid
        body["metric_name"] = .string("mse")
        body["baseline_value"] = .double(0.40)
        body["current_value"] = .double(0.30)
        let improved = try RegistrationRules.tokenizedEvent(body)
        #expect(improved.benchmark.direction == .lowerIsBetter)
        #expect(abs((improved.benchmark.improvementPercent ?? 0) - 25) < 1e-9)
        let worse = problems(["metric_name": .string("mse"), "baseline_value": .double(0.30), "current_value": .double(0.40)])
        #expect(worse.map(\.field) == ["current_value"])
        #expect(worse.first?.rule.contains("better when lower") == true)
        #expect(
            problems(["metric_name": .string("mse"), "baseline_value": .int(0), "current_value": .int(0)]).map(\.field) == [
                "baseline_value"
            ])
    }

    @Test func higherIsBetterMetricsStayInTheirRange() {
        #expect(problems(["metric_name": .string("auroc"), "current_value": .double(0.7)]).map(\.field) == ["current_value"])
        #expect(
            problems(["metric_name": .string("AUC"), "current_value": .double(1.2)]).contains {
                $0.rule.contains("between 0 and 1")
            })
        #expect(problems(["metric_direction": .string("lower_is_better")]).map(\.field) == ["metric_direction"])
    }

    @Test func registerNeedsAURIOfThisServer() {
        let body: [String: JSONAny] = [
            "model_uri": .string("file:///etc/passwd"), "model_name": .string("a/b"), "token_id": .string("T"),
            "metric_name": .string("accuracy"), "baseline_value": .double(0.5),
        ]
        let error = #expect(throws: FieldProblems.self) { try RegistrationRules.register(body) }
        #expect(Set(error?.problems.map(\.field) ?? []) == ["model_uri", "model_name"])
    }
}

@Suite struct ModelRegisteredEventTests {
    @Test func uuid5MatchesPython() {
        // python3 -c 'import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))'
        #expect(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    }

    @Test func thePayloadHasTheReferenceShapeAndASignature() throws {
        var claim = try RegistrationRules.tokenizedEvent(RegistrationRulesTests.valid)
        claim.evalSpec = "spec-1"
        let event = ModelRegisteredEvent(
            claim: claim, version: "3", userId: "alice", at: Date(timeIntervalSince1970: 1_700_000_000.25))
        let text = String(decoding: event.body, as: UTF8.self)
        #expect(
            text
                == #"{"event_type":"model_registered","model":{"id":"lscor","name":"churn","status":"registered","version":"3","run_id":"abc","user_id":"alice","eval_spec":"spec-1"},"timestamp":"2023-11-14T22:13:20.250000Z","source":"mlflow"}"#
        )
        #expect(
            event.idempotencyKey
                == ModelRegisteredEvent.idempotencyKey(modelId: "churn/3/LSCOR", tokenSymbol: "LSCOR", runId: "abc", version: "3")
        )
        // RFC 4231 test case 2: key "Jefe", "what do ya want for nothing?".
        #expect(
            ModelRegisteredEvent.signature(body: Array("what do ya want for nothing?".utf8), secret: "Jefe")
                == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func retriesBackOffThenGiveUp() {
        let policy = RetryPolicy(initialDelayMillis: 1000, maximumDelayMillis: 8000, giveUpAfterMillis: 60_000)
        #expect(policy.nextAttempt(afterFailedAttempts: 1, createdAt: 0, now: 0, jitter: 0) == 1000)
        #expect(policy.nextAttempt(afterFailedAttempts: 3, createdAt: 0, now: 10_000, jitter: 0) == 14_000)
        #expect(policy.nextAttempt(afterFailedAttempts: 10, createdAt: 0, now: 10_000, jitter: 0) == 18_000)
        #expect(policy.nextAttempt(afterFailedAttempts: 10, createdAt: 0, now: 55_000, jitter: 0) == nil)
    }

    @Test func webhookTargetsAreConfinedUnlessAllowed() throws {
        let strict = WebhookTargetPolicy.Allowance()
        _ = try WebhookTargetPolicy.check(url: "https://hokus.ai/api/webhooks/model-registration", allowance: strict)
        _ = try WebhookTargetPolicy.check(url: "http://127.0.0.1:9000/hook", allowance: .init(thisHost: true))
        for url in [
            "http://127.0.0.1/x", "http://localhost:8080/x", "http://localhost./x", "http://[::1]/x",
            "http://[::ffff:7f00:1]/x", "http://[::ffff:127.0.0.1]/x", "http://127.255.0.9/x", "http://169.254.169.254/latest",
            "http://0.0.0.0/", "http://[::]/", "http://metadata.google.internal/", "http://metadata.google.internal./",
            "ftp://host/x", "http://user:pw@host/x", "http://[fe80::1]/x", "http://[fd00:ec2::254]/",
        ] {
            #expect(throws: WebhookTargetPolicy.Refusal.self, "\(url)") {
                try WebhookTargetPolicy.check(url: url, allowance: strict)
            }
        }
        #expect(throws: WebhookTargetPolicy.Refusal.self) {
            try WebhookTargetPolicy.check(url: "http://169.254.169.254/", allowance: .init(thisHost: true))
        }
    }

    @Test func addressesAreJudgedByTheirBytes() throws {
        let own = try #require(IPAddress("192.0.2.10"))
        let allowance = WebhookTargetPolicy.Allowance(hostAddresses: [own])
        for (text, refused) in [
            ("127.0.0.1", true), ("::ffff:127.0.0.1", true), ("192.0.2.10", true), ("10.1.2.3", false),
            ("198.51.100.1", false), ("169.254.1.1", true), ("fe80::9", true),
        ] {
            let address = try #require(IPAddress(text))
            let outcome = Result { () throws(WebhookTargetPolicy.Refusal) in
                try WebhookTargetPolicy.check(address: address, url: "u", allowance: allowance)
            }
            #expect((try? outcome.get()) == nil ? refused : !refused, "\(text)")
        }
        let denyPrivate = WebhookTargetPolicy.Allowance(privateRanges: false)
        for text in ["10.1.2.3", "172.20.0.1", "192.168.9.9", "100.64.0.1", "fd12::1"] {
            #expect(throws: WebhookTargetPolicy.Refusal.self, "\(text)") {
                try WebhookTargetPolicy.check(address: IPAddress(text)!, url: "u", allowance: denyPrivate)
            }
        }
        // This host's addresses are allowed with loopback (a receiver on this host).
        try WebhookTargetPolicy.check(address: own, url: "u", allowance: .init(thisHost: true, hostAddresses: [own]))
    }
}
