import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Search over a small, known set of runs: every prefix, comparator and ordering rule.
@Suite struct MLflowSearchTests {
    /// Runs by name: alpha (start 100), beta (200), gamma (300), delta (300, deleted), other (another experiment).
    struct Fixture: Sendable {
        let experimentId: String
        let otherExperimentId: String
        let ids: [String: String]

        func names(_ reply: JSONReply) -> [String] {
            let byId = Dictionary(uniqueKeysWithValues: ids.map { ($1, $0) })
            return (reply["runs"] as? [[String: Any]] ?? []).compactMap {
                (($0["info"] as? [String: Any])?["run_id"] as? String).flatMap { byId[$0] }
            }
        }
    }

    static func fixture(_ client: any TestClientProtocol, key: String) async throws -> Fixture {
        let experiment = try #require(
            try await client.mlflow(.post, "experiments/create", key: key, json: #"{"name":"search"}"#).string("experiment_id"))
        let other = try #require(
            try await client.mlflow(.post, "experiments/create", key: key, json: #"{"name":"elsewhere"}"#).string("experiment_id")
        )
        var ids: [String: String] = [:]
        // A run's user is its key's: each run is made by an admin key of its own user.
        func create(_ name: String, start: Int, in experimentId: String) async throws -> String {
            let (userKey, _) = try await client.createKey(
                admin: key, #"{"name":"\#(name)","user_id":"u-\#(name)","scopes":["admin"]}"#)
            let reply = try await client.mlflow(
                .post, "runs/create", key: userKey,
                json: #"{"experiment_id":"\#(experimentId)","run_name":"\#(name)","start_time":\#(start)}"#
            )
            let id = try #require(((reply["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String)
            ids[name] = id
            return id
        }
        func batch(_ id: String, _ json: String) async throws {
            let reply = try await client.mlflow(.post, "runs/log-batch", key: key, json: #"{"run_id":"\#(id)",\#(json)}"#)
            try #require(reply.status == .ok, "\(reply.text)")
        }
        let alpha = try await create("alpha-run", start: 100, in: experiment)
        try await batch(
            alpha,
            #""metrics":[{"key":"loss","value":9,"timestamp":1,"step":1},{"key":"loss","value":0.5,"timestamp":2,"step":2},{"key":"acc","value":0.9,"timestamp":1}],"params":[{"key":"model","value":"cnn"},{"key":"lr","value":"0.1"}],"tags":[{"key":"team","value":"ml"},{"key":"my tag","value":"x"}]"#
        )
        _ = try await client.mlflow(
            .post, "runs/update", key: key, json: #"{"run_id":"\#(alpha)","status":"FINISHED","end_time":150}"#)
        let beta = try await create("beta-run", start: 200, in: experiment)
        try await batch(
            beta,
            #""metrics":[{"key":"loss","value":0.2,"timestamp":1}],"params":[{"key":"model","value":"RNN"}],"tags":[{"key":"team","value":"ops"}]"#
        )
        let gamma = try await create("Gamma", start: 300, in: experiment)
        try await batch(gamma, #""params":[{"key":"model","value":"cnn-large"}]"#)
        let delta = try await create("delta", start: 300, in: experiment)
        try await batch(delta, #""metrics":[{"key":"loss","value":0.9,"timestamp":1}]"#)
        _ = try await client.mlflow(.post, "runs/delete", key: key, json: #"{"run_id":"\#(delta)"}"#)
        let elsewhere = try await create("other", start: 50, in: other)
        try await batch(elsewhere, #""metrics":[{"key":"loss","value":0.1,"timestamp":1}]"#)
        return Fixture(experimentId: experiment, otherExperimentId: other, ids: ids)
    }

    func search(
        _ client: any TestClientProtocol, _ key: String, _ fixture: Fixture, filter: String = "", orderBy: [String] = [],
        extra: String = ""
    ) async throws -> JSONReply {
        let escapedFilter = filter.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let order = orderBy.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ",")
        return try await client.mlflow(
            .post, "runs/search", key: key,
            json: #"{"experiment_ids":["\#(fixture.experimentId)"],"filter":"\#(escapedFilter)","order_by":[\#(order)]\#(extra)}"#
        )
    }

    @Test(arguments: TestStoreKind.available)
    func filtersOnEveryPrefixAndComparator(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let f = try await Self.fixture(client, key: app.adminKey)
            let cases: [(String, Set<String>)] = [
                ("", ["alpha-run", "beta-run", "Gamma"]),
                ("metrics.loss < 0.6", ["alpha-run", "beta-run"]),
                ("metrics.loss >= 0.5", ["alpha-run"]),
                ("metrics.loss = 0.2", ["beta-run"]),
                ("metrics.loss != 0.2", ["alpha-run"]),
                ("metrics.loss > 8", []),
                ("metric.acc <= 0.9 and metrics.loss > 0", ["alpha-run"]),
                ("params.model = 'cnn'", ["alpha-run"]),
                ("params.model != 'cnn'", ["beta-run", "Gamma"]),
                ("params.model LIKE 'cnn%'", ["alpha-run", "Gamma"]),
                ("params.model LIKE 'CNN%'", []),
                ("params.model ILIKE 'rnn'", ["beta-run"]),
                ("param.lr IS NULL", ["beta-run", "Gamma"]),
                ("tags.team IS NOT NULL", ["alpha-run", "beta-run"]),
                ("tags.team IS NULL", ["Gamma"]),
                ("tags.`my tag` = 'x'", ["alpha-run"]),
                ("tags.\"my tag\" = \"x\"", ["alpha-run"]),
                ("attributes.run_name LIKE '%-run'", ["alpha-run", "beta-run"]),
                ("run_name ILIKE 'gamma'", ["Gamma"]),
                ("`Run Name` = 'beta-run'", ["beta-run"]),
                ("attributes.status = 'FINISHED'", ["alpha-run"]),
                ("attributes.user_id = 'u-beta-run'", ["beta-run"]),
                ("attributes.start_time >= 200", ["beta-run", "Gamma"]),
                ("attributes.created < 200", ["alpha-run"]),
                ("attributes.end_time = 150", ["alpha-run"]),
                ("run_id IN ('\(f.ids["alpha-run"]!)', '\(f.ids["Gamma"]!)')", ["alpha-run", "Gamma"]),
                ("attributes.run_id NOT IN ('\(f.ids["alpha-run"]!)')", ["beta-run", "Gamma"]),
            ]
            for (filter, expected) in cases {
                let reply = try await search(client, app.adminKey, f, filter: filter)
                #expect(reply.status == .ok, "\(filter): \(reply.text)")
                #expect(Set(f.names(reply)) == expected, "\(filter)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func orderingPutsRunsLackingTheKeyLast(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let f = try await Self.fixture(client, key: app.adminKey)
            let cases: [([String], [String])] = [
                ([], ["Gamma", "beta-run", "alpha-run"]),
                (["metrics.loss ASC"], ["beta-run", "alpha-run", "Gamma"]),
                (["metrics.loss DESC"], ["alpha-run", "beta-run", "Gamma"]),
                (["params.model"], ["beta-run", "alpha-run", "Gamma"]),
                (["tags.team desc"], ["beta-run", "alpha-run", "Gamma"]),
                (["attributes.start_time ASC"], ["alpha-run", "beta-run", "Gamma"]),
                (["run_name DESC"], ["beta-run", "alpha-run", "Gamma"]),
                (["attributes.end_time DESC"], ["alpha-run", "Gamma", "beta-run"]),
            ]
            for (orderBy, expected) in cases {
                let reply = try await search(client, app.adminKey, f, orderBy: orderBy)
                #expect(f.names(reply) == expected, "\(orderBy)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func viewTypesExperimentsAndTies(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let f = try await Self.fixture(client, key: app.adminKey)
            let all = try await search(client, app.adminKey, f, extra: #","run_view_type":"ALL""#)
            #expect(Set(f.names(all)) == ["alpha-run", "beta-run", "Gamma", "delta"])
            let deleted = try await search(client, app.adminKey, f, extra: #","run_view_type":"DELETED_ONLY""#)
            #expect(f.names(deleted) == ["delta"])
            // gamma and delta share start_time 300: ties go by run_id ascending.
            let tied = f.names(all).filter { $0 == "Gamma" || $0 == "delta" }
            #expect(tied == ["Gamma", "delta"].sorted { f.ids[$0]! < f.ids[$1]! })
            let both = try await client.mlflow(
                .post, "runs/search", key: app.adminKey,
                json: #"{"experiment_ids":["\#(f.experimentId)","\#(f.otherExperimentId)"],"filter":"metrics.loss < 0.3"}"#)
            #expect(Set(f.names(both)) == ["beta-run", "other"])
        }
    }

    @Test(arguments: TestStoreKind.available)
    func pagesAreOpaqueAndMalformedTokensRefused(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let f = try await Self.fixture(client, key: app.adminKey)
            var names: [String] = []
            var token: String?
            repeat {
                let extra = #","max_results":1"# + (token.map { #","page_token":"\#($0)""# } ?? "")
                let page = try await search(client, app.adminKey, f, extra: extra)
                names += f.names(page)
                token = page.string("next_page_token")
            } while token != nil
            #expect(names == ["Gamma", "beta-run", "alpha-run"])
            let bad = try await search(client, app.adminKey, f, extra: #","page_token":"!!!""#)
            #expect(bad.status == .badRequest && bad.errorCode == "INVALID_PARAMETER_VALUE")
            let tooMany = try await search(client, app.adminKey, f, extra: #","max_results":50001"#)
            #expect(
                tooMany.status == .badRequest
                    && tooMany.message?.hasPrefix("Invalid value 50001 for parameter 'max_results' supplied") == true)
            let orClause = try await search(client, app.adminKey, f, filter: "metrics.loss < 1 OR params.model = 'x'")
            #expect(orClause.status == .badRequest && orClause.message == "Invalid clause(s) in filter string: 'OR'")
            let stringMetric = try await search(client, app.adminKey, f, filter: "metrics.loss = 'abc'")
            #expect(stringMetric.status == .badRequest && stringMetric.errorCode == "INVALID_PARAMETER_VALUE")
            let listOnName = try await search(client, app.adminKey, f, filter: "run_name IN ('a')")
            #expect(listOnName.message == "Only ['run_id'] attributes support comparison with a list of quoted string values.")
        }
    }

    /// A page of 14,000 runs, whose ids as one parameter each would be more than one PostgreSQL
    /// statement may carry (65,535, five per run in the data query), comes back whole, in order,
    /// with each run's data.
    @Test(arguments: TestStoreKind.available)
    func aPageLargerThanOneStatementCanBindComesBackWhole(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let created = try await client.mlflow(.post, "experiments/create", key: app.adminKey, json: #"{"name":"bulk"}"#)
            let experimentId = try #require(created.string("experiment_id").flatMap(Int.init))
            let runs = 14_000
            try await app.database.transaction { db in
                try await db.raw(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(literal: runs))
                    INSERT INTO runs (run_id, experiment_id, run_name, user_id, status, start_time, lifecycle_stage, artifact_uri)
                    SELECT 'bulk' || i, \(literal: experimentId), 'r' || i, 'u', 'FINISHED', 1000 + i, 'active', 'x' FROM n
                    """
                ).run()
                try await db.raw("INSERT INTO run_params (run_id, key, value) SELECT run_id, 'p', run_name FROM runs").run()
            }
            let page = try await client.mlflow(
                .post, "runs/search", key: app.adminKey,
                json: #"{"experiment_ids":["\#(experimentId)"],"max_results":\#(runs)}"#)
            try #require(page.status == .ok, "\(page.text.prefix(300))")
            let found = try #require(page["runs"] as? [[String: Any]])
            #expect(found.count == runs)
            let ids = found.compactMap { ($0["info"] as? [String: Any])?["run_id"] as? String }
            #expect(ids == (1...runs).reversed().map { "bulk\($0)" })
            let params = found.compactMap { ((($0["data"] as? [String: Any])?["params"] as? [[String: Any]])?.first)?["value"] }
            #expect(params.count == runs && params.first as? String == "r\(runs)" && params.last as? String == "r1")
        }
    }
}
