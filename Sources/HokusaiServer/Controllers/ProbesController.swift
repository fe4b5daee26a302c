import Foundation
import HokusaiCore
import HokusaiStore
import Hummingbird

/// Unauthenticated probes: `/health` and `/api/health` (the process runs), `/live`, `/ready`
/// (the store answers a real query and is fully migrated), `/version` and `/metrics`.
struct ProbesController {
    let database: any Database
    let metrics: AppMetrics
    let startedAt: ContinuousClock.Instant
    /// A gateway's link to its auth service, reported in `/ready`, `/api/health` and `/metrics`.
    var remoteAuth: RemoteKeyValidator? = nil
    /// The MLflow server a gateway fronts, reported by `/api/health/mlflow`.
    var upstream: MLflowUpstream? = nil
    /// The S3 bucket artifacts go to, reported in `/ready` (not critical: tracking works without it).
    var artifactBucket: S3Health? = nil
    /// On PostgreSQL: whether other replicas' key changes reach this one's cache at once.
    var keyChanges: KeyChangeStatus? = nil
    var keyCacheMillis: Int64 = KeyRecordCache.defaultLifetimeMillis

    func register(on routes: inout RouteRegistrar) {
        routes.open(.get, "/api/health/mlflow", mlflowHealth)
        routes.open(.get, "/api/health/mlflow/detailed", mlflowHealthDetailed)
        routes.open(.get, "/health", health)
        routes.open(.get, "/api/health", apiHealth)
        routes.open(.get, "/live", live)
        routes.open(.get, "/ready", ready)
        routes.open(.get, "/version", version)
        routes.open(.get, "/metrics", prometheus)
    }

    struct Health: Encodable {
        let status = "healthy"
        let service = "hokusai-registry"
        let version = HokusaiVersion.current
        let timestamp: String
    }

    @Sendable func health(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        try JSONResponse.make(Health(timestamp: Timestamp.iso8601(Timestamp.nowMillis())))
    }

    /// `/health`, plus the auth service as a gateway sees it: breaker state and cache figures.
    @Sendable func apiHealth(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        var fields: [(String, JSONValue)] = [
            ("status", .string("healthy")), ("service", .string("hokusai-registry")),
            ("version", .string(HokusaiVersion.current)),
            ("timestamp", .string(Timestamp.iso8601(Timestamp.nowMillis()))),
        ]
        if let remoteAuth {
            let status = remoteAuth.status
            fields[0] = ("status", .string(status.breaker == .closed ? "healthy" : "degraded"))
            fields.append(
                (
                    "auth_service",
                    .object([
                        ("url", .string(remoteAuth.configuration.url)), ("circuit_breaker", .string(status.breaker.rawValue)),
                        ("consecutive_failures", .int(status.consecutiveFailures)), ("cached_keys", .int(status.cachedKeys)),
                        ("cache_hits", .int(status.hits)), ("cache_misses", .int(status.misses)),
                        ("cache_hit_rate", .double(status.hitRate.rounded(toPlaces: 3))), ("stale_uses", .int(status.staleUses)),
                    ])
                ))
        }
        return JSONResponse.make(.object(fields))
    }

    struct Live: Encodable {
        let alive = true
        let uptimeSeconds: Int
        enum CodingKeys: String, CodingKey {
            case alive
            case uptimeSeconds = "uptime_seconds"
        }
    }

    @Sendable func live(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        try JSONResponse.make(Live(uptimeSeconds: Int((ContinuousClock.now - startedAt).components.seconds)))
    }

    struct Check: Encodable {
        let name: String
        let passed: Bool
        var critical = true
        let detail: String
        let latencyMs: Double
        enum CodingKeys: String, CodingKey {
            case name, passed, critical, detail
            case latencyMs = "latency_ms"
        }
    }

    struct Readiness: Encodable {
        let ready: Bool
        let checks: [Check]
    }

    @Sendable func ready(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        var checks: [Check] = []
        // Unauthenticated, so the details name the engine and the failure, not where the store is.
        let storeStart = ContinuousClock.now
        do {
            _ = try await database.read { db in try await KeyRepository().count(on: db) }
            checks.append(
                Check(
                    name: "store", passed: true, detail: "\(database.kind.rawValue) store answers",
                    latencyMs: milliseconds(since: storeStart)))
        } catch {
            checks.append(
                Check(
                    name: "store", passed: false, detail: "\(database.kind.rawValue) store does not answer: \(error)",
                    latencyMs: milliseconds(since: storeStart)))
        }
        let migrationStart = ContinuousClock.now
        do {
            let status = try await MigrationRunner(database: database).status()
            checks.append(
                Check(
                    name: "migrations", passed: status.isCurrent,
                    detail: "applied \(status.appliedId) of \(status.latestId)"
                        + (status.isCurrent ? "" : "; run 'hokusai migrate'"),
                    latencyMs: milliseconds(since: migrationStart)))
        } catch {
            checks.append(
                Check(
                    name: "migrations", passed: false, detail: "cannot read migration state: \(error)",
                    latencyMs: milliseconds(since: migrationStart)))
        }
        if let remoteAuth {
            // Not critical: with the breaker open, recently validated keys keep working.
            let status = remoteAuth.status
            var check = Check(
                name: "auth_service", passed: status.breaker == .closed,
                detail: "circuit breaker \(status.breaker.rawValue), cache hit rate \(status.hitRate.rounded(toPlaces: 3)), "
                    + "\(status.cachedKeys) keys cached", latencyMs: 0)
            check.critical = false
            checks.append(check)
        }
        if let artifactBucket {
            // Named by its S3 code, not by bucket: this answer is unauthenticated. `hokusai doctor` names it.
            let outcome = await artifactBucket.check()
            var check = Check(
                name: "artifact_store", passed: outcome.failure == nil,
                detail: outcome.failure.map { "S3 bucket check failed: \($0.reason.rawValue) (\($0.code ?? "no answer"))" }
                    ?? "S3 bucket answers", latencyMs: outcome.latencyMs)
            check.critical = false
            checks.append(check)
        }
        if let keyChanges {
            // Not critical: without it, other replicas' key changes still apply within the cache lifetime.
            let state = keyChanges.snapshot
            var check = Check(
                name: "key_changes", passed: state.listening,
                detail: state.listening
                    ? "listening for other replicas' key changes"
                        + (state.sessions > 1 ? " (reconnected \(state.sessions - 1) times)" : "")
                    : (state.sessions == 0 ? "not listening yet" : "channel dropped, reconnecting (see the log)")
                        + ": other replicas' key changes apply within \(keyCacheMillis) ms",
                latencyMs: 0)
            check.critical = false
            checks.append(check)
        }
        let ready = checks.allSatisfy { $0.passed || !$0.critical }
        return try JSONResponse.make(Readiness(ready: ready, checks: checks), status: ready ? .ok : .serviceUnavailable)
    }

    /// The tracking backend: this process's store, or the upstream MLflow server's reachability and latency.
    @Sendable func mlflowHealth(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let probes = await trackingProbes(detailed: false)
        return trackingHealth(probes, detailed: false)
    }

    /// The same, with each probe: for an upstream, its health route, the experiments API and the artifact API.
    @Sendable func mlflowHealthDetailed(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        let probes = await trackingProbes(detailed: true)
        return trackingHealth(probes, detailed: true)
    }

    func trackingProbes(detailed: Bool) async -> [TrackingProbe] {
        if let upstream {
            var probes = [await upstream.probe("health", .GET, "/health", body: nil)]
            if detailed {
                probes.append(
                    await upstream.probe(
                        "experiments_api", .POST, "/api/2.0/mlflow/experiments/search", body: #"{"max_results":1}"#))
                probes.append(await upstream.probe("artifacts_api", .GET, "/api/2.0/mlflow-artifacts/artifacts?path=", body: nil))
            }
            return probes
        }
        let start = ContinuousClock.now
        do {
            _ = try await database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM experiments").all() }
            return [TrackingProbe(name: "store", ok: true, status: nil, latencyMs: milliseconds(since: start), error: nil)]
        } catch {
            return [
                TrackingProbe(name: "store", ok: false, status: nil, latencyMs: milliseconds(since: start), error: "\(error)")
            ]
        }
    }

    func trackingHealth(_ probes: [TrackingProbe], detailed: Bool) -> Response {
        let ok = probes.allSatisfy(\.ok)
        var fields: [(String, JSONValue)] = [
            ("status", .string(ok ? "ok" : "error")),
            ("backend", .string(upstream == nil ? "builtin" : "upstream")),
        ]
        if let upstream {
            fields.append(("upstream", .string(upstream.configuration.url)))
        } else {
            fields.append(("store", .string(database.kind.rawValue)))
        }
        fields.append(("latency_ms", .double(probes.first?.latencyMs ?? 0)))
        if let failure = probes.first(where: { !$0.ok }) {
            fields.append(("error", .string(failure.error ?? "\(failure.name) failed")))
        }
        if detailed { fields.append(("checks", .array(probes.map(\.json)))) }
        return JSONResponse.make(.object(fields), status: ok ? .ok : .serviceUnavailable)
    }

    struct Version: Encodable {
        let version = HokusaiVersion.current
        let apiVersion = "v1"
        let service = "hokusai-registry"
        enum CodingKeys: String, CodingKey {
            case version, service
            case apiVersion = "api_version"
        }
    }

    @Sendable func version(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        try JSONResponse.make(Version())
    }

    @Sendable func prometheus(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        if let remoteAuth { metrics.recordBreaker(remoteAuth.status.breaker) }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15).rounded(toPlaces: 3)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}

/// One check of the tracking backend.
struct TrackingProbe: Sendable {
    let name: String
    let ok: Bool
    let status: Int?
    let latencyMs: Double
    let error: String?

    var json: JSONValue {
        .object([
            ("name", .string(name)), ("ok", .bool(ok)), ("status_code", status.map { .int($0) } ?? .null),
            ("latency_ms", .double(latencyMs)), ("error", error.map { .string($0) } ?? .null),
        ])
    }
}
