import HokusaiCore
import HokusaiStore
import Hummingbird

/// `/api/v1/events`: the registration-event outbox. Admins list, show and redeliver any event;
/// any key reads the delivery summary and its own events, and a writer may queue a `ping` to check
/// delivery end to end (what `hokusai doctor --send-test-event` does).
struct EventsController {
    let registration: RegistrationService
    /// How many webhook targets this process delivers to.
    let webhookTargets: Int

    func register(on routes: inout RouteRegistrar) {
        routes.add(.get, "/api/v1/events", requires: .admin, list)
        routes.add(.get, "/api/v1/events/summary", requires: .read, summary)
        routes.add(.post, "/api/v1/events/ping", requires: .write, ping)
        routes.add(.get, "/api/v1/events/:id", requires: .read, show)
        routes.add(.post, "/api/v1/events/:id/redeliver", requires: .admin, redeliver)
    }

    @Sendable func list(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
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

    @Sendable func summary(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        return JSONResponse.make(RegistrationJSON.summary(try await registration.eventSummary(webhookTargets: webhookTargets)))
    }

    @Sendable func ping(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        guard webhookTargets > 0 else {
            throw APIError.conflict(
                "No webhook is configured on this server (--webhook-url): a ping would never be delivered")
        }
        let event = try await registration.queuePing(userId: key.userId)
        return JSONResponse.make(RegistrationJSON.event(event), status: .accepted)
    }

    /// An admin sees any event with its payload; anyone else only the events their registrations
    /// (or pings) queued, without the payload. Someone else's event is "not found", not "forbidden",
    /// so ids cannot be probed.
    @Sendable func show(_ request: Request, context: HokusaiRequestContext, key: KeyRecord) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let notFound = APIError.notFound("No event with id '\(id)'")
        guard let event = try await registration.event(id: id) else { throw notFound }
        guard key.scopes.isAdmin else {
            guard event.userId == key.userId else { throw notFound }
            return JSONResponse.make(RegistrationJSON.event(event))
        }
        var fields: [(String, JSONValue)] = []
        if case .object(let summary) = RegistrationJSON.event(event) { fields = summary }
        fields.append(("payload", .string(event.payload)))
        return JSONResponse.make(.object(fields))
    }

    @Sendable func redeliver(_ request: Request, context: HokusaiRequestContext, key _: KeyRecord) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let event = try await registration.redeliver(id: id) else { throw APIError.notFound("No event with id '\(id)'") }
        return JSONResponse.make(RegistrationJSON.event(event))
    }
}
