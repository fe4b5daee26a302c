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
