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

    func register(on routes: inout RouteRegistrar) {
        routes.add(.get, "/health", health)
        routes.add(.get, "/api/health", health)
        routes.add(.get, "/live", live)
        routes.add(.get, "/ready", ready)
        routes.add(.get, "/version", version)
        routes.add(.get, "/metrics", prometheus)
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
        let critical = true
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
        let ready = checks.allSatisfy(\.passed)
        return try JSONResponse.make(Readiness(ready: ready, checks: checks), status: ready ? .ok : .serviceUnavailable)
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
        Response(
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
