import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HokusaiServer

/// A folder shaped like the MLflow UI build (`mlflow/server/js/build`), made for one test.
struct FakeUIBuild {
    let directory: String
    static let script = String(repeating: "console.log('mlflow ui');\n", count: 200)

    static func make() throws -> FakeUIBuild {
        let directory = NSTemporaryDirectory() + "ui-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/static/js", withIntermediateDirectories: true)
        try #"<!doctype html><script src="static-files/static/js/main.c2f5f8d4.js"></script>"#.write(
            toFile: directory + "/index.html", atomically: true, encoding: .utf8)
        try script.write(toFile: directory + "/static/js/main.c2f5f8d4.js", atomically: true, encoding: .utf8)
        try "secret".write(toFile: directory + "/../ui-outside-\(UUID().uuidString).txt", atomically: true, encoding: .utf8)
        return FakeUIBuild(directory: directory)
    }
}

extension TestClientProtocol {
    /// Signs in on `/signin` as a browser would and returns the `Cookie` header value.
    func signIn(key: String, next: String = "/") async throws -> (status: HTTPResponse.Status, cookie: String?, location: String?)
    {
        let body = "key=" + FormQuery.escape(key) + "&next=" + FormQuery.escape(next)
        return try await execute(
            uri: "/signin", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
            body: ByteBuffer(string: body)
        ) { response in
            let cookie = response.headers[.setCookie].flatMap { $0.split(separator: ";").first.map(String.init) }
            return (response.status, cookie, response.headers[.location])
        }
    }
}

@Suite struct BrowserSignInTests {
    static let sameSite: HTTPFields = [.origin: "http://localhost"]

    @Test(arguments: TestStoreKind.allCases)
    func aPastedKeyBecomesASessionCookieThatWorksLikeTheKey(_ kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (status, cookie, location) = try await client.signIn(key: app.adminKey, next: "/api/mlflow/#/experiments/0")
            #expect(status == .seeOther)
            #expect(location == "/api/mlflow/#/experiments/0")
            let session = try #require(cookie)
            #expect(session.hasPrefix("hokusai_session=hks_") && !session.contains(app.adminKey))

            let me = try await client.call(.get, "/ajax-api/2.0/mlflow/users/current", headers: [.cookie: session])
            #expect(me.status == .ok)
            #expect((me["user"] as? [String: Any])?["username"] as? String == "admin")
            #expect((me["user"] as? [String: Any])?["is_admin"] as? Bool == true)

            let created = try await client.call(
                .post, "/api/mlflow/ajax-api/2.0/mlflow/experiments/create",
                headers: Self.sameSite.merging([.cookie: session]), json: #"{"name":"from-the-browser"}"#)
            #expect(created.status == .ok, "\(created.text)")

            // Only the token's hash is stored, never the token or the key.
            let rows = try await app.database.read { db in
                try await db.raw("SELECT session_hash, key_hash FROM browser_sessions").all()
            }
            #expect(rows.count == 1)
            let stored = try rows[0].decode(column: "session_hash", as: String.self)
            #expect(stored == BrowserSession.hash(String(session.dropFirst("hokusai_session=".count))))
        }
    }

    @Test func aWrongKeyIsRefusedOnThePageWithoutEchoingIt() async throws {
        try await TestApp.run(.sqlite) { client, _ in
            let wrong = "hk_live_" + String(repeating: "Q", count: 32)
            let reply = try await client.execute(
                uri: "/signin", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
                body: ByteBuffer(string: "key=\(wrong)&next=/")
            ) { ($0.status, String(buffer: $0.body), $0.headers[.setCookie]) }
            #expect(reply.0 == .unauthorized)
            #expect(reply.1.contains("Not signed in: API key checksum does not match"))
            #expect(!reply.1.contains(wrong))
            #expect(reply.2 == nil)
        }
    }

    @Test func signingOutAndRevokingTheKeyEachEndTheSession() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"browser","user_id":"ana"}"#)
            let first = try #require(try await client.signIn(key: key).cookie)
            let second = try #require(try await client.signIn(key: key).cookie)
            #expect(first != second)
            #expect(try await client.call(.get, "/api/2.0/mlflow/users/current", headers: [.cookie: first]).status == .ok)

            let out = try await client.execute(
                uri: "/signout", method: .post, headers: Self.sameSite.merging([.cookie: first]), body: nil
            ) { ($0.status, $0.headers[.setCookie]) }
            #expect(out.0 == .seeOther && out.1?.contains("Max-Age=0") == true)
            let ended = try await client.call(.get, "/api/2.0/mlflow/users/current", headers: [.cookie: first])
            #expect(
                ended.status == .unauthorized && ended.string("message")?.contains("session has ended") == true, "\(ended.text)")
            #expect(try await client.call(.get, "/api/2.0/mlflow/users/current", headers: [.cookie: second]).status == .ok)

            _ = try await client.call(.delete, "/api/v1/keys/\(id)", key: app.adminKey)
            let revoked = try await client.call(.get, "/api/2.0/mlflow/users/current", headers: [.cookie: second])
            #expect(
                revoked.status == .unauthorized && revoked.string("message")?.contains("was revoked") == true, "\(revoked.text)")
        }
    }

    @Test func changesWithTheCookieFromAnotherSiteOrNowhereAreRefused() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let cookie = try #require(try await client.signIn(key: app.adminKey).cookie)
            for origin in ["http://evil.example", nil] as [String?] {
                var headers: HTTPFields = [.cookie: cookie]
                if let origin { headers[.origin] = origin }
                let reply = try await client.call(
                    .post, "/ajax-api/2.0/mlflow/experiments/create", headers: headers, json: #"{"name":"forged"}"#)
                #expect(reply.status == .forbidden, "\(origin ?? "no origin"): \(reply.text)")
                #expect(reply.string("error_code") == "PERMISSION_DENIED")
            }
            let search = try await client.call(
                .get, "/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=forged", headers: [.cookie: cookie])
            #expect(search.status == .notFound, "nothing was created: \(search.text)")
            // Signing a browser in from another site is refused too (login CSRF).
            let login = try await client.execute(
                uri: "/signin", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://evil.example"],
                body: ByteBuffer(string: "key=\(app.adminKey)")
            ) { ($0.status, $0.headers[.setCookie]) }
            #expect(login.0 == .forbidden && login.1 == nil)
        }
    }

    @Test func aReadOnlySessionReadsButGetsMLflowsPermissionErrorOnEdits() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let (reader, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"r","user_id":"viewer","scopes":["read"]}"#)
            let cookie = try #require(try await client.signIn(key: reader).cookie)
            let listed = try await client.call(
                .post, "/ajax-api/2.0/mlflow/experiments/search", headers: Self.sameSite.merging([.cookie: cookie]),
                json: #"{"max_results":10}"#)
            #expect(listed.status == .ok, "\(listed.text)")
            let edit = try await client.call(
                .post, "/ajax-api/2.0/mlflow/experiments/update", headers: Self.sameSite.merging([.cookie: cookie]),
                json: #"{"experiment_id":"0","new_name":"renamed"}"#)
            #expect(edit.status == .forbidden)
            #expect(edit.string("error_code") == "PERMISSION_DENIED", "\(edit.text)")
        }
    }
}

@Suite struct MLflowUIServingTests {
    @Test func theUIIsServedUnderEveryPrefixAfterSigningIn() async throws {
        let build = try FakeUIBuild.make()
        try await TestApp.run(.sqlite, configure: { $0.mlflowUIDirectory = build.directory }) { client, app in
            for page in ["/", "/api/mlflow/", "/mlflow/"] {
                let anonymous = try await client.call(.get, page)
                #expect(anonymous.status == .seeOther, "\(page)")
                #expect(anonymous.header("Location") == "/signin?next=" + page)
            }
            let cookie = try #require(try await client.signIn(key: app.adminKey).cookie)
            for page in ["/", "/api/mlflow/", "/mlflow/"] {
                let reply = try await client.call(.get, page, headers: [.cookie: cookie])
                #expect(reply.status == .ok && reply.text.contains("static-files/static/js/main"), "\(page)")
                #expect(reply.header("Content-Type") == "text/html; charset=utf-8")
                #expect(reply.header("Cache-Control") == "no-cache")
            }
            let bare = try await client.call(.get, "/api/mlflow", headers: [.cookie: cookie])
            #expect(bare.status == .permanentRedirect && bare.header("Location") == "/api/mlflow/")
            // HTTP Basic with the key as password works for the page too.
            let basic = Data("me:\(app.adminKey)".utf8).base64EncodedString()
            #expect(try await client.call(.get, "/mlflow/", headers: [.authorization: "Basic \(basic)"]).status == .ok)
        }
    }

    @Test func filesAreOpenTypedCachedAndGzippedAndNothingElseIsReachable() async throws {
        let build = try FakeUIBuild.make()
        try await TestApp.run(.sqlite, configure: { $0.mlflowUIDirectory = build.directory }) { client, _ in
            let path = "/api/mlflow/static-files/static/js/main.c2f5f8d4.js"
            let plain = try await client.call(.get, path)
            #expect(plain.status == .ok && plain.text == FakeUIBuild.script)
            #expect(plain.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(plain.header("Cache-Control") == "public, max-age=31536000, immutable")
            let gzipped = try await client.execute(uri: path, method: .get, headers: [.acceptEncoding: "gzip"], body: nil) {
                ($0.status, $0.headers[.contentEncoding], $0.body.readableBytes, $0.headers[.eTag])
            }
            #expect(gzipped.0 == .ok && gzipped.1 == "gzip" && gzipped.2 < FakeUIBuild.script.utf8.count / 10)
            let etag = try #require(gzipped.3)
            let again = try await client.call(.get, path, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.text.isEmpty)
            for hostile in [
                "/static-files/../index.html", "/static-files/%2e%2e/index.html", "/static-files/static/../../ui-outside.txt",
                "/static-files/nothing.js", "/static-files/static",
            ] {
                let reply = try await client.call(.get, hostile)
                #expect(reply.status == .unauthorized || reply.status == .notFound, "\(hostile): \(reply.status)")
                #expect(!reply.text.contains("secret"))
            }
        }
    }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
