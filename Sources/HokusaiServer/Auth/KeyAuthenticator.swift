import HokusaiCore
import HokusaiStore

/// The outcome of authenticating one request.
enum AuthenticationOutcome: Sendable {
    /// Accepted; `degraded` when only a recent validation vouches for the key (auth service down).
    case accepted(KeyRecord, RateLimitDecision, degraded: Bool)
    /// Refused; `rateLimit` is set when the key was genuine but over its limit, for the headers.
    case rejected(KeyRejection, rateLimit: RateLimitDecision?)
}

/// Who is asking, for limits and the audit log.
struct RequestOrigin: Sendable {
    /// The connection's address (or the load balancer's `X-Forwarded-For` when trusted): what the
    /// per-address limit counts.
    let clientIP: String
    let requestId: String
    /// The end client a gateway says it validates for (`client_ip` in a validation body). Recorded
    /// in the audit log only: a caller could name any address, so limits never use it.
    var onBehalfOf: String? = nil
}

/// Checks a presented credential end to end: per-address failure limit, format and checksum
/// (before any lookup), the store or the auth service, the verification rules, and the key's hourly limit. Shared by
/// the gateway middleware and the `validate` endpoint, so both answer the same way.
/// Where keys are checked: in this process's store, or by a separate auth service (`--role gateway`).
enum KeySource: Sendable {
    case store(any Database)
    case remote(RemoteKeyValidator)
}

struct KeyAuthenticator: Sendable {
    let source: KeySource
    let rateLimiter: any RateLimiting
    let failureLimiter: FailedAttemptLimiter
    let recorder: WriteBehindRecorder
    let cache: KeyRecordCache

    init(
        source: KeySource, rateLimiter: any RateLimiting, failureLimiter: FailedAttemptLimiter, recorder: WriteBehindRecorder,
        cache: KeyRecordCache = KeyRecordCache()
    ) {
        self.source = source
        self.rateLimiter = rateLimiter
        self.failureLimiter = failureLimiter
        self.recorder = recorder
        self.cache = cache
    }

    func authenticate(
        _ presented: Result<PresentedCredential.Found?, KeyRejection>,
        demand: VerificationDemand,
        origin: RequestOrigin
    ) async throws -> AuthenticationOutcome {
        let now = Timestamp.nowMillis()
        let refuse = refuser(origin: origin, now: now, countsFailures: true)
        let found: PresentedCredential.Found
        switch presented {
        case .failure(let rejection):
            return refuse(rejection, nil)
        case .success(nil):
            return .rejected(KeyRejection(code: .missing, message: Self.missingKeyMessage), rateLimit: nil)
        case .success(let credential?):
            found = credential
        }
        if case .failure(let problem) = APIKeyFormat.parse(found.key) {
            return refuse(KeyRejection(code: .malformed, message: problem.message), nil)
        }
        return try await check(
            hash: APIKeyFormat.hash(found.key), presentedKey: found.key, demand: demand, origin: origin, now: now,
            refuse: refuse)
    }

    /// A browser's session cookie: the session's key is checked exactly as if the key had been sent.
    /// Refusals do not count as failed attempts: a page opened with an old cookie fires a burst of
    /// calls that would otherwise lock its own address out, and a 256-bit token is not guessed.
    func authenticate(
        sessionToken: Substring, sessions: BrowserSessions, demand: VerificationDemand, origin: RequestOrigin
    ) async throws -> AuthenticationOutcome {
        let now = Timestamp.nowMillis()
        let refuse = refuser(origin: origin, now: now, countsFailures: false)
        guard BrowserSession.isWellFormed(sessionToken) else {
            return refuse(KeyRejection(code: .sessionEnded, message: Self.sessionEndedMessage), nil)
        }
        let session: BrowserSessionRow?
        do {
            session = try await sessions.find(token: sessionToken, now: now)
        } catch {
            throw APIError.keyStoreUnavailable
        }
        guard let session else {
            return refuse(KeyRejection(code: .sessionEnded, message: Self.sessionEndedMessage), nil)
        }
        return try await check(
            hash: session.keyHash, presentedKey: nil, demand: demand, origin: origin, now: now, refuse: refuse)
    }

    static let sessionEndedMessage =
        "Your browser session has ended (signed out, expired, or started on another server): sign in again at /signin"

    private typealias Refuser = @Sendable (KeyRejection, _ userId: String?) -> AuthenticationOutcome

    private func refuser(origin: RequestOrigin, now: Int64, countsFailures: Bool) -> Refuser {
        // An address past its failure limit still gets a valid key through (an office behind NAT, a
        // gateway relaying its clients' failures), but every failure is answered as the block: a
        // guess made from it learns nothing until the window ends, which is what bounds guessing.
        let blocked = failureLimiter.retryAfter(address: origin.clientIP, now: now).map { retryAfter in
            KeyRejection(
                code: .tooManyFailedAttempts,
                message: "Too many failed authentication attempts from this address; retry in \(retryAfter) s",
                retryAfterSeconds: retryAfter)
        }
        return { rejection, userId in
            if countsFailures, let blocked, rejection.code.countsAsFailedAttempt { return .rejected(blocked, rateLimit: nil) }
            return reject(rejection, origin: origin, now: now, userId: userId, countsFailure: countsFailures)
        }
    }

    /// The key whose stored hash is `hash`: found (cache, store or auth service), verified, and
    /// counted against its hourly limit. `presentedKey` is what the auth service is asked about;
    /// a session has none, and only this process's store knows sessions.
    private func check(
        hash: String, presentedKey: String?, demand: VerificationDemand, origin: RequestOrigin, now: Int64,
        refuse: Refuser
    ) async throws -> AuthenticationOutcome {
        let verdict: Result<KeyRecord, KeyRejection>
        var degraded = false
        var knownUser: String?
        switch source {
        case .store(let database):
            var record = cache.record(hash: hash, now: now)
            if record == nil {
                do {
                    record = try await database.read { db in try await KeyRepository().find(hash: hash, on: db) }
                } catch {
                    // A store outage is ours, not the user's: never answer it as a bad key.
                    throw APIError.keyStoreUnavailable
                }
                if let record { cache.remember(record, hash: hash, now: now) }
            }
            knownUser = record?.userId
            verdict = KeyVerifier.verify(record: record, demand: demand, now: now)
        case .remote(let validator):
            guard let presentedKey else {
                return refuse(KeyRejection(code: .sessionEnded, message: Self.sessionEndedMessage), nil)
            }
            let answer = try await validator.verify(
                key: presentedKey, hash: hash, demand: demand, clientIP: origin.onBehalfOf ?? origin.clientIP, now: now)
            verdict = answer.verdict
            degraded = answer.degraded
        }
        let key: KeyRecord
        switch verdict {
        case .failure(let rejection):
            return refuse(rejection, knownUser)
        case .success(let verified):
            key = verified
        }
        let counted = await rateLimiter.consume(key: key, now: now)
        let decision = counted.decision
        guard decision.allowed else {
            let used =
                counted.exhaustedBudget.map {
                    "API key \(key.maskedKey) draws on the hourly budget of the key that created it (\($0.keyId)), "
                        + "and keys of that chain have used its \($0.limitPerHour) requests this hour"
                } ?? "API key \(key.maskedKey) has used its \(key.rateLimitPerHour) requests this hour"
            let rejection = KeyRejection(
                code: .rateLimited, message: used + "; retry in \(decision.retryAfterSeconds) s",
                retryAfterSeconds: decision.retryAfterSeconds, keyId: key.id)
            _ = reject(rejection, origin: origin, now: now, userId: key.userId)
            return .rejected(rejection, rateLimit: decision)
        }
        recorder.noteUse(keyId: key.id, at: now)
        return .accepted(key, decision, degraded: degraded)
    }

    static let missingKeyMessage =
        "API key required: send it as 'Authorization: Bearer <key>', 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'"

    private func reject(
        _ rejection: KeyRejection, origin: RequestOrigin, now: Int64, userId: String? = nil, countsFailure: Bool = true
    ) -> AuthenticationOutcome {
        if countsFailure, rejection.code.countsAsFailedAttempt {
            failureLimiter.recordFailure(address: origin.clientIP, now: now)
        }
        recorder.noteFailure(
            AuditEvent(
                occurredAt: now, kind: .authFailed, keyId: rejection.keyId, userId: userId, code: rejection.code.rawValue,
                clientIP: origin.clientIP, requestId: origin.requestId,
                detail: rejection.message + (origin.onBehalfOf.map { " (validated on behalf of \($0))" } ?? "")))
        return .rejected(rejection, rateLimit: nil)
    }
}
