import Foundation
import HokusaiCore

/// Where `hokusai keys …` does its work: on the store directly (offline, as the operator) or
/// through a server's key service (`--url`, with an admin key). Both return the key service's
/// JSON, so output is the same either way.
protocol KeyBackend: Sendable {
    func create(_ request: KeyCreationRequest, admin: Bool) async throws -> Data
    func list(userId: String?, serviceId: String?, activeOnly: Bool, limit: Int) async throws -> Data
    func show(id: String) async throws -> Data
    func revoke(id: String) async throws -> Data
    func rotate(id: String, graceSeconds: Int?) async throws -> Data
    func close() async
}

extension TargetOptions {
    func withKeys(_ body: (any KeyBackend) async throws -> Void) async throws {
        try await withBackend(
            remote: { RemoteKeyBackend(server: $0) as any KeyBackend },
            local: { try await LocalKeyBackend.open($0, logger: $1) as any KeyBackend }, close: { await $0.close() }, body)
    }
}
