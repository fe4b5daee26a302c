import Testing

@testable import HokusaiCore

func sampleRecord(
    scopes: [Scope] = [.read, .write], serviceId: String = "platform", expiresAt: Int64? = nil, revokedAt: Int64? = nil
) -> KeyRecord {
    KeyRecord(
        id: "key_1", keyHash: "h", keyHead: "hk_live_ab", keyTail: "WXYZ", name: "n", userId: "alice", email: nil,
        serviceId: serviceId, environment: .production, scopes: ScopeSet(scopes), rateLimitPerHour: 1000,
        billingPlan: "free", createdAt: 0, expiresAt: expiresAt, revokedAt: revokedAt)
}

@Suite struct KeyVerifierTests {
    let now: Int64 = 1_800_000_000_000

    @Test func unknownKeyIsNotFound() {
        let result = KeyVerifier.verify(record: nil, demand: .init(), now: now)
        #expect(result.failureCode == .notFound)
    }

    @Test func revokedKeyIsRevokedEvenWhenAlsoExpired() {
        let record = sampleRecord(expiresAt: now - 10, revokedAt: now - 5)
        #expect(KeyVerifier.verify(record: record, demand: .init(), now: now).failureCode == .revoked)
    }

    @Test func scheduledRevocationInTheFutureStillWorks() {
        let record = sampleRecord(revokedAt: now + 1000)
        #expect(KeyVerifier.verify(record: record, demand: .init(), now: now).failureCode == nil)
    }

    @Test func expiredKeyIsExpiredAndSaysWhen() throws {
        let result = KeyVerifier.verify(record: sampleRecord(expiresAt: now), demand: .init(), now: now)
        #expect(result.failureCode == .expired)
        #expect(try #require(result.failureMessage).contains("expired at"))
    }

    @Test func wrongServiceNamesBothServices() throws {
        let result = KeyVerifier.verify(record: sampleRecord(), demand: .init(serviceId: "ml-platform"), now: now)
        #expect(result.failureCode == .wrongService)
        let message = try #require(result.failureMessage)
        #expect(message.contains("'platform'") && message.contains("'ml-platform'"))
    }

    @Test func wrongEnvironmentIsRefused() {
        let result = KeyVerifier.verify(record: sampleRecord(), demand: .init(environment: .test), now: now)
        #expect(result.failureCode == .wrongEnvironment)
    }

    @Test func missingScopeNamesTheScopeNeeded() throws {
        let result = KeyVerifier.verify(record: sampleRecord(scopes: [.read]), demand: .init(requiredScope: .write), now: now)
        #expect(result.failureCode == .insufficientScope)
        #expect(try #require(result.failureMessage).contains("'write'"))
        guard case .failure(let rejection) = result else { return }
        #expect(rejection.requiredScope == .write)
        #expect(rejection.code.httpStatus == 403)
    }

    @Test func messagesShowOnlyTheMaskedKey() throws {
        let result = KeyVerifier.verify(record: sampleRecord(revokedAt: 1), demand: .init(), now: now)
        #expect(try #require(result.failureMessage).contains("hk_live_ab…WXYZ"))
    }
}

extension Result where Success == KeyRecord, Failure == KeyRejection {
    var failureCode: ValidationCode? {
        if case .failure(let rejection) = self { return rejection.code }
        return nil
    }

    var failureMessage: String? {
        if case .failure(let rejection) = self { return rejection.message }
        return nil
    }
}
