import Testing

@testable import HokusaiCore

/// Keys made by non-admin keys: they never outlive their creator and share its chain's budget.
@Suite struct KeyChainRulesTests {
    let now: Int64 = 1_000_000
    let day: Int64 = 86_400_000

    func caller(endsAt: Int64?, admin: Bool = false, budget: KeyBudget? = nil) -> KeyCaller {
        KeyCaller(
            keyId: "key_c", userId: "alice", email: nil, scopes: ScopeSet(admin ? [.admin] : [.read, .write]),
            rateLimitPerHour: 10, endsAt: endsAt, budget: budget)
    }

    @Test func aKeyAskingForNoExpiryGetsItsCreatorsEnd() throws {
        let settings = try KeyCreationRules.settings(for: .init(name: "k"), caller: caller(endsAt: now + day), now: now).get()
        #expect(settings.expiresAt == now + day)
    }

    @Test func aKeyAskingToOutliveItsCreatorGetsItsCreatorsEnd() throws {
        let settings = try KeyCreationRules.settings(
            for: .init(name: "k", expiresInDays: 30), caller: caller(endsAt: now + day), now: now
        ).get()
        #expect(settings.expiresAt == now + day)
    }

    @Test func aShorterExpiryThanTheCreatorsIsKept() throws {
        let settings = try KeyCreationRules.settings(
            for: .init(name: "k", expiresInDays: 1), caller: caller(endsAt: now + 10 * day), now: now
        ).get()
        #expect(settings.expiresAt == now + day)
    }

    @Test func aKeyMadeByANonAdminKeyJoinsItsChain() throws {
        let settings = try KeyCreationRules.settings(for: .init(name: "k"), caller: caller(endsAt: nil), now: now).get()
        #expect(settings.parentKeyId == "key_c")
        #expect(settings.sharedBudget == KeyBudget(keyId: "key_c", limitPerHour: 10))
        #expect(settings.expiresAt == nil)
    }

    @Test func aGrandchildDrawsOnTheRootsBudget() throws {
        let root = KeyBudget(keyId: "key_root", limitPerHour: 10)
        let settings = try KeyCreationRules.settings(
            for: .init(name: "k"), caller: caller(endsAt: nil, budget: root), now: now
        ).get()
        #expect(settings.parentKeyId == "key_c")
        #expect(settings.sharedBudget == root)
    }

    @Test func adminMadeKeysStandAlone() throws {
        let settings = try KeyCreationRules.settings(
            for: .init(name: "k", expiresInDays: 30), caller: caller(endsAt: now + day, admin: true), now: now
        ).get()
        #expect(settings.parentKeyId == nil && settings.sharedBudget == nil)
        #expect(settings.expiresAt == now + 30 * day)
    }

    @Test func aCallersEndIsItsExpiryOrScheduledRevocationWhicheverIsFirst() {
        var record = KeyRecord(
            id: "key_x", keyHash: "", keyHead: "", keyTail: "", name: "", userId: "u", email: nil, serviceId: "platform",
            environment: .production, scopes: ScopeSet([.read]), rateLimitPerHour: 10, billingPlan: "free", createdAt: 0,
            expiresAt: 500)
        #expect(record.endsAt == 500)
        record.revokedAt = 300
        #expect(record.endsAt == 300)
        record.expiresAt = nil
        #expect(record.endsAt == 300)
        record.revokedAt = nil
        #expect(record.endsAt == nil)
    }

    @Test func aRotatedChainKeyNeverOutlivesItsCreator() throws {
        let record = KeyRecord(
            id: "key_x", keyHash: "", keyHead: "", keyTail: "", name: "", userId: "u", email: nil, serviceId: "platform",
            environment: .production, scopes: ScopeSet([.read]), rateLimitPerHour: 10, billingPlan: "free",
            createdAt: now - day, expiresAt: now + 29 * day, parentKeyId: "key_p")
        let capped = try KeyRotationRules.plan(for: record, graceSeconds: 0, creatorEndsAt: now + 2 * day, now: now).get()
        #expect(capped.newKeyExpiresAt == now + 2 * day)
        let free = try KeyRotationRules.plan(for: record, graceSeconds: 0, now: now).get()
        #expect(free.newKeyExpiresAt == now + 30 * day)
    }
}

@Suite struct RateLimitBindingTests {
    let window = HourlyWindow(containing: 0)

    func decision(count: Int, limit: Int) -> RateLimitDecision {
        RateLimitDecision.decide(count: count, limit: limit, window: window, nowMillis: 0)
    }

    @Test func aRefusalByEitherBinds() {
        #expect(!RateLimitDecision.binding(decision(count: 1, limit: 10), decision(count: 11, limit: 10)).allowed)
        #expect(!RateLimitDecision.binding(decision(count: 11, limit: 10), decision(count: 1, limit: 10)).allowed)
    }

    @Test func whenBothAllowTheOneWithLessLeftIsReported() {
        let chosen = RateLimitDecision.binding(decision(count: 2, limit: 10), decision(count: 8, limit: 100))
        #expect(chosen.allowed && chosen.remaining == 8 && chosen.limit == 10)
        let chain = RateLimitDecision.binding(decision(count: 2, limit: 100), decision(count: 8, limit: 10))
        #expect(chain.remaining == 2 && chain.limit == 10)
    }
}
