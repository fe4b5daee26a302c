import Foundation
import HokusaiCore
import HokusaiStore
import Hummingbird

/// `/console`: Hokusai's own pages, server-rendered and readable without JavaScript. Today the
/// keys page: the signed-in user's keys (an admin's: everyone's), masked, with their state.
/// The same rules as `GET /api/v1/keys`: a key sees its user's keys, an admin key all of them.
struct ConsoleController {
    let keys: KeyService
    /// Rows on one page; more is what the API's paging or `hokusai keys list` is for.
    static let pageSize = 200

    func register(on routes: inout RouteRegistrar) {
        routes.page("/console", requires: .read) { _, _, caller in try await keysPage(caller) }
    }

    private func keysPage(_ caller: KeyRecord) async throws -> Response {
        let admin = caller.scopes.isAdmin
        let filter = KeyListFilter(userId: admin ? nil : caller.userId)
        let now = Timestamp.nowMillis()
        let rows = try await keys.list(filter, limit: Self.pageSize + 1, offset: 0, now: now)
        let context: [String: Any] = [
            "user": caller.userId, "admin": admin, "caller": caller.maskedKey,
            "keys": rows.prefix(Self.pageSize).map { Self.row($0, caller: caller, now: now) },
            "more": rows.count > Self.pageSize, "pageSize": Self.pageSize,
        ]
        return HTMLPage.response(title: "Keys", template: "console-keys", context: context)
    }

    static func row(_ key: KeyRecord, caller: KeyRecord, now: Int64) -> [String: Any] {
        let state = key.isRevoked(at: now) ? "revoked" : key.isExpired(at: now) ? "expired" : "active"
        return [
            "name": key.name, "masked": key.maskedKey, "user": key.userId, "service": key.serviceId,
            "environment": key.environment.rawValue, "scopes": key.scopes.names.joined(separator: ", "), "state": state,
            "created": HTMLPage.utc(millis: key.createdAt),
            "expires": key.expiresAt.map(HTMLPage.utc(millis:)) ?? "never",
            "lastUsed": key.lastUsedAt.map(HTMLPage.utc(millis:)) ?? "never",
            "this": key.id == caller.id,
        ]
    }
}

extension PageTemplates {
    static let consoleKeys = """
        <h1>API keys</h1>
        <p>Signed in as <strong>{{user}}</strong> with <code>{{caller}}</code>.
        {{#admin}}An admin key: every user's keys are listed.{{/admin}}{{^admin}}Your keys are listed.{{/admin}}</p>
        <table>
        <caption class="visually-hidden">API keys, masked</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">User</th><th scope="col">Service</th><th scope="col">Scopes</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th></tr></thead>
        <tbody>
        {{#keys}}
        <tr><td>{{name}}{{#this}} (this session's){{/this}}</td><td><code>{{masked}}</code></td><td>{{user}}</td><td>{{service}} ({{environment}})</td><td>{{scopes}}</td><td>{{state}}</td><td>{{created}}</td><td>{{expires}}</td><td>{{lastUsed}}</td></tr>
        {{/keys}}
        </tbody>
        </table>
        {{#more}}<p class="notice" role="status">The first {{pageSize}} keys are shown: <code>hokusai keys list</code> or <code>GET /api/v1/keys</code> pages through all of them.</p>{{/more}}
        <p>Create, rotate and revoke keys with <code>hokusai keys</code> or <code>/api/v1/keys</code>; a key is shown once, when it is made.</p>
        """
}
