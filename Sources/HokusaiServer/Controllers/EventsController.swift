import HokusaiCore
import HokusaiStore
import Hummingbird

/// `/api/v1/events`: the registration-event outbox, for admins: list by state, show one, redeliver one.
struct EventsController {
    let registration: RegistrationService

    func register(on routes: inout RouteRegistrar) {
        routes.add(.get, "/api/v1/events", list)
        routes.add(.get, "/api/v1/events/:id", show)
        routes.add(.post, "/api/v1/events/:id/redeliver", redeliver)
    }

    @Sendable func list(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        _ = try context.principal(requiring: .admin)
        let query = request.uri.queryParameters
        var state: EventState?
        if let raw = query["state"], !raw.isEmpty {
            guard let parsed = EventState(rawValue: String(raw)) else {
                throw APIError.invalidParameter(field: "state", message: "state must be one of queued, delivered, dead")
            }
            state = parsed
        }
        let page = try PageRequest(query: query)
        let events = try await registration.events(state: state, limit: page.limit, offset: page.offset)
        return JSONResponse.make(RegistrationJSON.events(events, nextPageToken: page.nextToken(returned: events.count)))
    }

    @Sendable func show(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        _ = try context.principal(requiring: .admin)
        let id = context.parameters.get("id") ?? ""
        guard let event = try await registration.event(id: id) else { throw APIError.notFound("No event with id '\(id)'") }
        var fields: [(String, JSONValue)] = []
        if case .object(let summary) = RegistrationJSON.event(event) { fields = summary }
        fields.append(("payload", .string(event.payload)))
        return JSONResponse.make(.object(fields))
    }

    @Sendable func redeliver(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        _ = try context.principal(requiring: .admin)
        let id = context.parameters.get("id") ?? ""
        guard let event = try await registration.redeliver(id: id) else { throw APIError.notFound("No event with id '\(id)'") }
        return JSONResponse.make(RegistrationJSON.event(event))
    }
}
