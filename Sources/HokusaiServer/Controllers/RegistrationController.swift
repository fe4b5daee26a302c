import HokusaiCore
import HokusaiStore
import Hummingbird

/// The Hokusai registration API (`/api/models/...`): linking model versions to tokens, and reading
/// them back. Every client mistake is a 4xx naming the field; a registration is answered as soon as
/// it and its event are committed, whether or not a webhook is reachable.
struct RegistrationController {
    let registration: RegistrationService
    let registry: RegistryService

    func register(on routes: inout RouteRegistrar) {
        routes.add(
            .post, "/api/models/tokenized-registration-events", requires: .write,
            refusalDetail: "Insufficient permissions for model registration events", tokenizedEvent)
        routes.add(
            .post, "/api/models/register", requires: .write, refusalDetail: "Insufficient permissions for model registration",
            registerModel)
        routes.add(.get, "/api/models", requires: .read, list)
        routes.add(.get, "/api/models/production", requires: .read, production)
        routes.add(.get, "/api/models/by-token/:token_id", requires: .read, byToken)
        routes.add(.get, "/api/models/:name/lineage", requires: .read, lineage)
        routes.add(.get, "/api/models/:name/:version", requires: .read, show)
        routes.add(.patch, "/api/models/:name/:version", requires: .write, update)
        routes.add(.delete, "/api/models/:name/:version", requires: .write, delete)
        routes.add(.post, "/api/models/:name/:version/transition", requires: .write, transition)
    }

    @Sendable func tokenizedEvent(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let body = try await JSONBody.object(from: request, context: context)
        let outcome = try await refusingClearly {
            try await registration.recordTokenizedEvent(try RegistrationRules.tokenizedEvent(body), actor: actor(key))
        }
        if outcome.dryRun { return JSONResponse.make(RegistrationJSON.dryRun(outcome)) }
        let version = String(outcome.version.version)
        return JSONResponse.make(
            .object([
                ("status", .string("ok")),
                ("model_id", .string("\(outcome.version.name)/\(version)/\(outcome.event.tokenId)")),
                ("model_name", .string(outcome.version.name)), ("version", .string(version)),
                ("event_emitted", .bool(true)), ("event_id", .string(outcome.event.eventId)),
                ("event_status", .string(outcome.event.state.rawValue)), ("replayed", .bool(outcome.replayed)),
                ("detail", .null),
            ]))
    }

    @Sendable func registerModel(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let body = try await JSONBody.object(from: request, context: context)
        let outcome = try await refusingClearly {
            try await registration.register(try RegistrationRules.register(body), actor: actor(key))
        }
        if outcome.dryRun { return JSONResponse.make(RegistrationJSON.dryRun(outcome)) }
        return JSONResponse.make(RegistrationJSON.registered(outcome), status: .created)
    }

    @Sendable func list(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let query = FormQuery.items(request.uri.query)
        func value(_ name: String) -> String? { query.last { $0.name == name }.map(\.value).flatMap { $0.isEmpty ? nil : $0 } }
        let page = try PageRequest(query: request.uri.queryParameters)
        let versions = try await registration.versions(
            name: value("name"), tokenId: value("token_id"), status: value("status"), limit: page.limit, offset: page.offset)
        var fields: [(String, JSONValue)] = [("models", .array(versions.map(RegistrationJSON.version)))]
        if let next = page.nextToken(returned: versions.count) { fields.append(("next_page_token", .string(next))) }
        return JSONResponse.make(.object(fields))
    }

    @Sendable func byToken(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let token = try pathValue(context, "token_id")
        let versions = try await registration.versions(name: nil, tokenId: token, status: nil, limit: 1000, offset: 0)
        guard !versions.isEmpty else { throw APIError.notFound("No model is registered for token '\(token.uppercased())'") }
        return JSONResponse.make(
            .object([("token_id", .string(token.uppercased())), ("models", .array(versions.map(RegistrationJSON.version)))]))
    }

    @Sendable func production(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let versions = try await registration.production()
        return JSONResponse.make(.object([("models", .array(versions.map(RegistrationJSON.version)))]))
    }

    @Sendable func lineage(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let name = try pathValue(context, "name")
        let versions = try await refusingClearly { try await registration.lineage(name: name) }
        return JSONResponse.make(
            .object([
                ("model_name", .string(name)), ("lineage", .array(versions.map(RegistrationJSON.lineageEntry))),
                ("total_versions", .int(versions.count)),
                ("latest_version", versions.last.map { .string(String($0.version)) } ?? .null),
            ]))
    }

    @Sendable func show(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let (name, version) = try nameAndVersion(context)
        let found = try await refusingClearly { try await registry.modelVersion(name: name, version: version) }
        return JSONResponse.make(RegistrationJSON.version(found))
    }

    struct UpdateRequest: Decodable {
        let description: String?
        let tags: [String: String]?
    }

    @Sendable func update(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let (name, version) = try nameAndVersion(context)
        let body = try await JSONBody.decode(UpdateRequest.self, from: request, context: context)
        let tags = (body.tags ?? [:]).sorted { $0.key < $1.key }.map { KeyValue(key: $0.key, value: $0.value) }
        let updated = try await refusingClearly {
            try await registry.updateModelVersion(
                name: name, version: version, description: body.description, tags: tags, actor: actor(key))
        }
        return JSONResponse.make(
            .object([("message", .string("Model updated successfully")), ("model", RegistrationJSON.version(updated))]))
    }

    @Sendable func delete(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let (name, version) = try nameAndVersion(context)
        try await refusingClearly { try await registry.deleteModelVersion(name: name, version: version, actor: actor(key)) }
        return JSONResponse.make(.object([("message", .string("Model \(name):\(version) deleted successfully"))]))
    }

    struct TransitionRequest: Decodable {
        let stage: String?
    }

    /// Sets the alias `stage.lower()` and the tag `lifecycle_stage`, as the reference does (MLflow's
    /// stages are deprecated in favour of aliases).
    @Sendable func transition(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let (name, version) = try nameAndVersion(context)
        let body = try await JSONBody.decode(TransitionRequest.self, from: request, context: context, emptyMeans: "{}")
        let updated = try await refusingClearly {
            try await registry.transitionByAlias(
                name: name, version: version, stage: body.stage ?? "Production", actor: actor(key))
        }
        return JSONResponse.make(
            .object([
                ("message", .string("Model \(name):\(version) transitioned to \(updated.stage)")),
                ("model", RegistrationJSON.version(updated.version)),
            ]))
    }

    // MARK: Helpers

    func actor(_ key: KeyRecord) -> TrackingActor { TrackingActor(userId: key.userId, isAdmin: key.scopes.isAdmin) }

    func pathValue(_ context: HokusaiRequestContext, _ name: String) throws -> String {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw APIError.invalidParameter(field: name, message: "\(name) is required in the path")
        }
        try NULRefusal.check(pathValue: value, name: name)
        return value
    }

    func nameAndVersion(_ context: HokusaiRequestContext) throws -> (String, String) {
        let version = try pathValue(context, "version")
        guard Int64(version).map({ $0 > 0 }) == true else {
            throw APIError.invalidParameter(field: "version", message: "version must be a model version number such as 3")
        }
        return (try pathValue(context, "name"), version)
    }

    /// Turns rule and registry errors into 4xx answers naming what is wrong.
    func refusingClearly<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let problems as FieldProblems {
            throw APIError.unprocessable(problems)
        } catch let error as MLflowError {
            throw APIError(registry: error)
        }
    }
}
