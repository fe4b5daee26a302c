import Testing

@testable import HokusaiCore

@Suite struct KeyCreationRulesTests {
    let now: Int64 = 1_000_000
    let alice = KeyCaller(
        keyId: "key_a", userId: "alice", email: "a@x.io", scopes: ScopeSet([.read, .write]), rateLimitPerHour: 500)
    let admin = KeyCaller(keyId: "key_0", userId: "admin", email: nil, scopes: ScopeSet([.admin]), rateLimitPerHour: 100_000)

    func problem(_ request: KeyCreationRequest, caller: KeyCaller?) -> KeyRequestProblem? {
        if case .failure(let problem) = KeyCreationRules.settings(for: request, caller: caller, now: now) { return problem }
        return nil
    }

    @Test func defaultsFollowTheReferenceService() throws {
        let settings = try KeyCreationRules.settings(for: .init(name: "k"), caller: admin, now: now).get()
        #expect(settings.serviceId == "platform")
        #expect(settings.environment == .production)
        #expect(settings.scopes == ScopeSet([.read, .write]))
        #expect(settings.rateLimitPerHour == 1000)
        #expect(settings.billingPlan == "free")
        #expect(settings.userId == "admin")
        #expect(settings.expiresAt == nil)
    }

    @Test func expiryIsCountedInDaysFromNow() throws {
        let settings = try KeyCreationRules.settings(for: .init(name: "k", expiresInDays: 2), caller: admin, now: now).get()
        #expect(settings.expiresAt == now + 2 * 86_400_000)
    }

    @Test(arguments: [
        (KeyCreationRequest(), "name"),
        (KeyCreationRequest(name: String(repeating: "n", count: 101)), "name"),
        (KeyCreationRequest(name: "k", serviceId: "ML Platform"), "service_id"),
        (KeyCreationRequest(name: "k", environment: "staging"), "environment"),
        (KeyCreationRequest(name: "k", scopes: []), "scopes"),
        (KeyCreationRequest(name: "k", scopes: ["root"]), "scopes"),
        (KeyCreationRequest(name: "k", expiresInDays: 0), "expires_in_days"),
        (KeyCreationRequest(name: "k", expiresInDays: 366), "expires_in_days"),
        (KeyCreationRequest(name: "k", rateLimitPerHour: 9), "rate_limit_per_hour"),
        (KeyCreationRequest(name: "k", rateLimitPerHour: 100_001), "rate_limit_per_hour"),
        (KeyCreationRequest(name: "k", billingPlan: "Gold Plan"), "billing_plan"),
        (KeyCreationRequest(name: "k", email: "not-an-email"), "email"),
    ])
    func invalidFieldsAreNamed(request: KeyCreationRequest, field: String) {
        guard case .invalidField(let named, let message) = problem(request, caller: admin) else {
            Issue.record("expected an invalid field")
            return
        }
        #expect(named == field)
        #expect(message.hasPrefix(field))
    }

    @Test func nonAdminsCreateOnlyForThemselves() {
        guard case .forbidden(let message) = problem(.init(name: "k", userId: "bob"), caller: alice) else {
            Issue.record("expected forbidden")
            return
        }
        #expect(message.contains("alice"))
    }

    @Test func aKeyCannotGrantMoreThanItHas() {
        guard case .forbidden = problem(.init(name: "k", scopes: ["admin"]), caller: alice) else {
            Issue.record("expected forbidden")
            return
        }
        guard case .forbidden = problem(.init(name: "k", rateLimitPerHour: 501), caller: alice) else {
            Issue.record("expected forbidden")
            return
        }
    }

    @Test func nonAdminDefaultsAreCappedByTheCaller() throws {
        let settings = try KeyCreationRules.settings(for: .init(name: "k"), caller: alice, now: now).get()
        #expect(settings.userId == "alice")
        #expect(settings.email == "a@x.io")
        #expect(settings.rateLimitPerHour == 500)
        let reader = KeyCaller(keyId: "k", userId: "r", email: nil, scopes: ScopeSet([.read]), rateLimitPerHour: 100)
        #expect(try KeyCreationRules.settings(for: .init(name: "k"), caller: reader, now: now).get().scopes == ScopeSet([.read]))
    }

    @Test func adminsCreateForAnyone() throws {
        let settings = try KeyCreationRules.settings(
            for: .init(name: "k", scopes: ["mlflow:admin"], userId: "bob"), caller: admin, now: now
        ).get()
        #expect(settings.userId == "bob" && settings.scopes == ScopeSet([.admin]))
    }
}

@Suite struct KeyRotationRulesTests {
    let now: Int64 = 10_000_000

    @Test func oldKeyEndsAfterTheGraceButNeverPastItsExpiry() throws {
        let plan = try KeyRotationRules.plan(for: sampleRecord(), graceSeconds: 60, now: now).get()
        #expect(plan.oldKeyEndsAt == now + 60_000)
        let expiring = sampleRecord(expiresAt: now + 5000)
        #expect(try KeyRotationRules.plan(for: expiring, graceSeconds: 60, now: now).get().oldKeyEndsAt == now + 5000)
    }

    @Test func newKeyKeepsTheOldLifetime() throws {
        var record = sampleRecord(expiresAt: 86_400_000)
        record.createdAt = 0
        #expect(try KeyRotationRules.plan(for: record, graceSeconds: 0, now: now).get().newKeyExpiresAt == now + 86_400_000)
        #expect(try KeyRotationRules.plan(for: sampleRecord(), graceSeconds: 0, now: now).get().newKeyExpiresAt == nil)
    }

    @Test func revokedExpiredOrAlreadyRotatedKeysCannotRotate() {
        for record in [sampleRecord(revokedAt: now - 1), sampleRecord(expiresAt: now - 1)] {
            guard case .failure(.conflict) = KeyRotationRules.plan(for: record, graceSeconds: nil, now: now) else {
                Issue.record("expected a conflict")
                return
            }
        }
        var rotated = sampleRecord(revokedAt: now + 100)
        rotated.replacedBy = "key_2"
        guard case .failure(.conflict) = KeyRotationRules.plan(for: rotated, graceSeconds: nil, now: now) else {
            Issue.record("expected a conflict")
            return
        }
    }

    @Test func graceOutsideItsRangeIsNamed() {
        guard case .failure(.invalidField(let field, _)) = KeyRotationRules.plan(for: sampleRecord(), graceSeconds: -1, now: now)
        else {
            Issue.record("expected an invalid field")
            return
        }
        #expect(field == "grace_seconds")
    }
}
