import HokusaiCore
import HokusaiStore
import Hummingbird

/// `PATCH /api/models/{name}` with `{"owner": "<user_id>"}`: an admin gives a registered model to
/// another user, who then may add versions, move aliases and stages, and delete it.
struct ModelOwnershipController {
    let registry: RegistryService

    struct TransferRequest: Decodable {
        let owner: String
    }

    func register(on routes: inout RouteRegistrar) {
        routes.add(.patch, "/api/models/:name", requires: .admin, transfer)
    }

    @Sendable func transfer(_ request: Request, context: HokusaiRequestContext, caller: KeyRecord) async throws -> Response {
        let name = context.parameters.get("name").flatMap { $0.removingPercentEncoding } ?? ""
        try NULRefusal.check(pathValue: name, name: "name")
        let body = try await JSONBody.decode(TransferRequest.self, from: request, context: context)
        let owner = body.owner.trimmingCharacters(in: .whitespaces)
        guard !owner.isEmpty, owner.count <= 256 else {
            throw APIError.invalidParameter(field: "owner", message: "owner must be a user id of 1 to 256 characters")
        }
        do {
            let model = try await registry.transferRegisteredModel(
                name: name, to: owner, actor: TrackingActor(userId: caller.userId, isAdmin: caller.scopes.isAdmin))
            return JSONResponse.make(
                .object([
                    ("name", .string(model.name)), ("owner", .string(model.ownerUserId ?? owner)),
                    ("last_updated_timestamp", .int64(model.lastUpdatedTime)),
                ]))
        } catch let error as MLflowError {
            throw APIError(status: .init(code: error.code.httpStatus), code: error.code.rawValue, message: error.message)
        }
    }
}
