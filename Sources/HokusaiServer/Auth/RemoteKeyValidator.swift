import AsyncHTTPClient
import Foundation
import HokusaiCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// How a gateway talks to the auth service.
public struct RemoteAuthConfiguration: Sendable {
    /// The auth service's base URL (`hokusai serve --role auth`).
    public var url: String
    public var timeoutMillis: Int64 = 2000
    public var positiveTTLMillis: Int64 = 60_000
    public var negativeTTLMillis: Int64 = 5_000
    /// How long a key validated once keeps working while the auth service cannot be reached.
    public var staleWindowMillis: Int64 = 900_000
    /// Whether keys kept working that way may also write.
    public var degradedWrites = true
    public var breakerFailures = 5
    public var breakerSuccesses = 2
    public var breakerOpenMillis: Int64 = 10_000
    public var cacheCapacity = 10_000

    public init(url: String) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }
}

/// What a gateway knows of its auth service, for `/ready`, `/api/health` and `/metrics`.
struct RemoteAuthStatus: Sendable {
    let breaker: CircuitBreaker.State
    let consecutiveFailures: Int
    let cachedKeys: Int
    let hits: Int
    let misses: Int
    let staleUses: Int

    var hitRate: Double { hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses) }
}

/// Validates keys with the auth service's `POST /api/v1/keys/validate`, behind a cache
/// (`ValidationCache`) and a circuit breaker (`CircuitBreaker`). When the service fails
/// (connection refused, timeout, 5xx, an answer that is not a validation), keys it confirmed within
/// the stale window keep working, flagged as degraded; any other key gets 503 "Authentication
/// service unavailable" with Retry-After, never a 401: the reference system answered its auth
/// outages as bad keys for a year.
final class RemoteKeyValidator: Service, Sendable {
    struct Answer: Sendable {
        let verdict: Result<KeyRecord, KeyRejection>
        let degraded: Bool
    }

    struct State: Sendable {
        var cache: ValidationCache
        var breaker: CircuitBreaker
        var hits = 0
        var misses = 0
        var staleUses = 0
    }

    let configuration: RemoteAuthConfiguration
    let client: HTTPClient
    let metrics: AppMetrics
    let logger: Logger
    private let state: Mutex<State>

    init(configuration: RemoteAuthConfiguration, metrics: AppMetrics, logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.state = Mutex(
            State(
                cache: ValidationCache(
                    positiveMillis: configuration.positiveTTLMillis, negativeMillis: configuration.negativeTTLMillis,
                    staleMillis: configuration.staleWindowMillis, capacity: configuration.cacheCapacity),
                breaker: CircuitBreaker(
                    failureThreshold: configuration.breakerFailures, successThreshold: configuration.breakerSuccesses,
                    openMillis: configuration.breakerOpenMillis)))
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.timeout = .init(
            connect: .milliseconds(configuration.timeoutMillis), read: .milliseconds(configuration.timeoutMillis))
        // Keep-alive connections to the auth service, reused across requests.
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60))
        self.client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// Holds the connection pool open for the application's lifetime.
    func run() async throws {
        try? await gracefulShutdown()
        try? await client.shutdown()
    }

    var status: RemoteAuthStatus {
        state.withLock {
            RemoteAuthStatus(
                breaker: $0.breaker.state, consecutiveFailures: $0.breaker.consecutiveFailures, cachedKeys: $0.cache.count,
                hits: $0.hits, misses: $0.misses, staleUses: $0.staleUses)
        }
    }

    func verify(key: String, hash: String, demand: VerificationDemand, clientIP: String, now: Int64) async throws -> Answer {
        enum Step {
            case answer(Answer)
            case call(stale: KeyRecord?)
            case unavailable(stale: KeyRecord?, retryAfterMillis: Int64)
        }
        let step = state.withLock { state -> Step in
            switch state.cache.lookup(hash: hash, now: now) {
            case .fresh(.valid(let record)):
                state.hits += 1
                // Checked again here: the key may have expired since, or miss the scope asked for.
                return .answer(Answer(verdict: KeyVerifier.verify(record: record, demand: demand, now: now), degraded: false))
            case .fresh(.refused(let rejection)):
                state.hits += 1
                return .answer(Answer(verdict: .failure(rejection), degraded: false))
            case .stale(let record):
                state.misses += 1
                return state.breaker.permitsCall(now: now)
                    ? .call(stale: record)
                    : .unavailable(stale: record, retryAfterMillis: state.breaker.retryAfterMillis(now: now))
            case .miss:
                state.misses += 1
                return state.breaker.permitsCall(now: now)
                    ? .call(stale: nil) : .unavailable(stale: nil, retryAfterMillis: state.breaker.retryAfterMillis(now: now))
            }
        }
        switch step {
        case .answer(let answer):
            metrics.recordAuthCache("hit")
            return answer
        case .unavailable(let stale, let retryAfter):
            metrics.recordAuthCache("miss")
            return try degraded(stale, demand: demand, now: now, retryAfterMillis: retryAfter)
        case .call(let stale):
            metrics.recordAuthCache("miss")
            do {
                let verdict = try await call(key: key, hash: hash, clientIP: clientIP)
                let stamp = Timestamp.nowMillis()
                state.withLock { state in
                    state.breaker.recordSuccess(now: stamp)
                    switch verdict {
                    case .valid,
                        .refused(_) where Self.isCacheable(verdict):
                        state.cache.store(verdict, hash: hash, now: stamp)
                    default: break
                    }
                }
                switch verdict {
                case .valid(let record):
                    return Answer(verdict: KeyVerifier.verify(record: record, demand: demand, now: now), degraded: false)
                case .refused(let rejection):
                    return Answer(verdict: .failure(rejection), degraded: false)
                }
            } catch let failure as AuthServiceFailure {
                let stamp = Timestamp.nowMillis()
                let retryAfter = state.withLock { state in
                    state.breaker.recordFailure(now: stamp)
                    return state.breaker.retryAfterMillis(now: stamp)
                }
                logger.warning(
                    "auth service call failed", metadata: ["error": "\(failure.reason)", "breaker": "\(status.breaker.rawValue)"])
                return try degraded(stale, demand: demand, now: now, retryAfterMillis: retryAfter)
            }
        }
    }

    /// The auth service could not answer: a key it confirmed within the stale window works (as
    /// degraded); any other gets 503 with Retry-After.
    private func degraded(_ stale: KeyRecord?, demand: VerificationDemand, now: Int64, retryAfterMillis: Int64) throws -> Answer {
        guard let stale else {
            throw APIError.authServiceUnavailable(retryAfterSeconds: max(1, Int((retryAfterMillis + 999) / 1000)))
        }
        state.withLock { $0.staleUses += 1 }
        metrics.recordAuthCache("stale")
        return Answer(verdict: KeyVerifier.verify(record: stale, demand: demand, now: now), degraded: true)
    }

    /// Refusals that depend on the key alone are cached; rate limits and per-address limits are not.
    static func isCacheable(_ verdict: ValidationCache.Verdict) -> Bool {
        guard case .refused(let rejection) = verdict else { return true }
        return rejection.code != .rateLimited && rejection.code != .tooManyFailedAttempts
    }

    struct AuthServiceFailure: Error {
        let reason: String
    }

    /// One validation call. A validation answer (valid or not) is a success of the service; a
    /// transport error, a timeout, a 5xx or a body that is not a validation answer is a failure.
    func call(key: String, hash: String, clientIP: String) async throws -> ValidationCache.Verdict {
        var request = HTTPClientRequest(url: configuration.url + "/api/v1/keys/validate")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Content-Type", value: "application/json")
        // The auth service limits failed attempts per address; run it with --trust-forwarded-for
        // behind gateways so it counts the end client, not the gateway.
        request.headers.add(name: "X-Forwarded-For", value: clientIP)
        request.body = .bytes(ByteBuffer(string: "{}"))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .milliseconds(configuration.timeoutMillis))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw AuthServiceFailure(reason: "\(configuration.url) did not answer: \(String(describing: error))")
        }
        let status = Int(response.status.code)
        guard status < 500,
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let isValid = object["is_valid"] as? Bool, let code = object["code"] as? String
        else {
            throw AuthServiceFailure(reason: "\(configuration.url) answered \(status) without a validation result")
        }
        guard isValid else {
            let rejection = KeyRejection(
                code: ValidationCode(rawValue: code) ?? .notFound, message: object["message"] as? String ?? "API key refused",
                retryAfterSeconds: response.headers.first(name: "Retry-After").flatMap(Int.init),
                keyId: object["key_id"] as? String)
            return .refused(rejection)
        }
        return .valid(try Self.record(from: object, key: key, hash: hash))
    }

    /// A key record rebuilt from a validation answer: what the gateway needs to authorize requests.
    static func record(from object: [String: Any], key: String, hash: String) throws -> KeyRecord {
        guard let id = object["key_id"] as? String, let userId = object["user_id"] as? String,
            let scopeNames = object["scopes"] as? [String]
        else { throw AuthServiceFailure(reason: "the validation answer lacks key_id, user_id or scopes") }
        let parts = APIKeyFormat.visibleParts(of: key)
        return KeyRecord(
            id: id, keyHash: hash, keyHead: parts.head, keyTail: parts.tail, name: "", userId: userId,
            email: object["email"] as? String, serviceId: object["service_id"] as? String ?? "platform",
            environment: (object["environment"] as? String).flatMap(APIKeyEnvironment.init(rawValue:)) ?? .production,
            scopes: ScopeSet(scopeNames.compactMap(Scope.init(name:))),
            rateLimitPerHour: object["rate_limit_per_hour"] as? Int ?? 1000,
            billingPlan: object["billing_plan"] as? String ?? "free",
            createdAt: 0, expiresAt: (object["expires_at"] as? String).flatMap(Timestamp.parseISO8601),
            sharedBudget: (object["budget_key_id"] as? String).flatMap { budgetKeyId in
                (object["budget_rate_limit_per_hour"] as? Int).map { KeyBudget(keyId: budgetKeyId, limitPerHour: $0) }
            })
    }
}
