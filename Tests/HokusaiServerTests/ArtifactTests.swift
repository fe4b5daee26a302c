import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

let artifactsPrefix = "/api/mlflow/api/2.0/mlflow-artifacts/artifacts"

extension TestClientProtocol {
    @discardableResult
    func putArtifact(_ path: String, _ content: String, key: String) async throws -> JSONReply {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(key)"
        headers[.contentType] = "text/plain"
        return try await execute(
            uri: "\(artifactsPrefix)/\(path)", method: .put, headers: headers, body: ByteBuffer(string: content)
        ) { response in
            let text = String(buffer: response.body)
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return JSONReply(status: response.status, headers: response.headers, object: object, text: text)
        }
    }

    func listArtifacts(_ path: String, key: String) async throws -> [[String: Any]] {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
        let reply = try await call(.get, "\(artifactsPrefix)?path=\(encoded)", key: key)
        #expect(reply.status == .ok, "\(reply.text)")
        return reply["files"] as? [[String: Any]] ?? []
    }
}

@Suite struct ArtifactTests {
    @Test(arguments: TestStoreKind.available, ArtifactMedium.available)
    func filesUploadOverwriteDownloadListAndDelete(kind: TestStoreKind, medium: ArtifactMedium) async throws {
        try await TestApp.run(kind, artifacts: medium) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let root = "\(experimentId)/\(runId)/artifacts"
            #expect(try await client.putArtifact("\(root)/dir/a.txt", "first", key: key).status == .ok)
            // A retried PUT overwrites: the client retries artifact uploads on 5xx.
            #expect(try await client.putArtifact("\(root)/dir/a.txt", "second!", key: key).status == .ok)
            #expect(try await client.putArtifact("\(root)/top%20level.txt", "x", key: key).status == .ok)
            let download = try await client.call(.get, "\(artifactsPrefix)/\(root)/dir/a.txt", key: key)
            #expect(download.status == .ok && download.text == "second!")

            let top = try await client.listArtifacts(root, key: key)
            #expect(top.map { $0["path"] as? String } == ["dir", "top level.txt"])
            #expect(top.first?["is_dir"] as? Bool == true && top.first?["file_size"] == nil)
            let inner = try await client.listArtifacts("\(root)/dir", key: key)
            #expect(inner.first?["path"] as? String == "a.txt" && inner.first?["file_size"] as? Int == 7)
            let missing = try await client.call(
                .get, "\(artifactsPrefix)?path=\(experimentId)%2F\(runId)%2Fartifacts%2Fmodel", key: key)
            #expect(missing.status == .ok && missing.text == "{}")

            let runList = try await client.mlflow(.get, "artifacts/list?run_id=\(runId)&path=dir", key: key)
            #expect(runList.string("root_uri") == "mlflow-artifacts:/\(root)")
            #expect((runList["files"] as? [[String: Any]])?.first?["path"] as? String == "dir/a.txt")

            let folder = try await client.call(.get, "\(artifactsPrefix)/\(root)/dir", key: key)
            #expect(folder.status == .badRequest && folder.errorCode == "INVALID_PARAMETER_VALUE")
            let absent = try await client.call(.get, "\(artifactsPrefix)/\(root)/nope.txt", key: key)
            #expect(absent.status == .notFound && absent.errorCode == "RESOURCE_DOES_NOT_EXIST", "\(absent.text)")

            #expect(try await client.call(.delete, "\(artifactsPrefix)/\(root)/dir", key: key).status == .ok)
            #expect(try await client.call(.get, "\(artifactsPrefix)/\(root)/dir/a.txt", key: key).status == .notFound)
            #expect(try await client.listArtifacts(root, key: key).map { $0["path"] as? String } == ["top level.txt"])
        }
    }

    @Test(arguments: ArtifactMedium.available)
    func aSingleRangeIsServedAsPartialContent(medium: ArtifactMedium) async throws {
        try await TestApp.run(.sqlite, artifacts: medium) { client, app in
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let file = "\(artifactsPrefix)/\(experimentId)/\(runId)/artifacts/digits.txt"
            try await client.putArtifact("\(experimentId)/\(runId)/artifacts/digits.txt", "0123456789", key: app.adminKey)
            for (range, body, contentRange) in [
                ("bytes=2-5", "2345", "bytes 2-5/10"), ("bytes=-3", "789", "bytes 7-9/10"), ("bytes=7-", "789", "bytes 7-9/10"),
            ] {
                var headers = HTTPFields()
                headers[.range] = range
                let reply = try await client.call(.get, file, key: app.adminKey, headers: headers)
                #expect(reply.status == .partialContent && reply.text == body, "\(range): \(reply.status) \(reply.text)")
                #expect(reply.header("Content-Range") == contentRange, "\(range)")
            }
            var past = HTTPFields()
            past[.range] = "bytes=10-"
            let refused = try await client.call(.get, file, key: app.adminKey, headers: past)
            #expect(refused.status == .rangeNotSatisfiable && refused.header("Content-Range") == "bytes */10", "\(refused.text)")
            var several = HTTPFields()
            several[.range] = "bytes=0-1,4-5"
            let whole = try await client.call(.get, file, key: app.adminKey, headers: several)
            #expect(whole.status == .ok && whole.text == "0123456789" && whole.header("Accept-Ranges") == "bytes")
        }
    }

    @Test func everyPrefixServesTheSameArtifactsAndServerInfo() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            try await client.putArtifact("\(experimentId)/\(runId)/artifacts/f.txt", "same", key: key)
            for prefix in ["/api/mlflow/api", "/api/mlflow/ajax-api", "/api", "/ajax-api", "/mlflow/api"] {
                let reply = try await client.call(
                    .get, "\(prefix)/2.0/mlflow-artifacts/artifacts/\(experimentId)/\(runId)/artifacts/f.txt", key: key)
                #expect(reply.text == "same", "\(prefix)")
                let info = try await client.call(.get, "\(prefix)/3.0/mlflow/server-info", key: key)
                #expect(info["multipart_uploads_enabled"] as? Bool == false, "\(prefix)")
            }
            #expect(try await client.call(.get, "/api/mlflow/api/3.0/mlflow/server-info").status == .unauthorized)
        }
    }

    /// Every traversal form of section 7 on PUT, GET, list and DELETE: each refused with 400
    /// "Invalid path", and nothing outside the artifact root is read, written or deleted.
    @Test(arguments: ArtifactMedium.available)
    func traversalFormsAreRefusedEverywhereAndTouchNothingOutsideTheRoot(medium: ArtifactMedium) async throws {
        try await TestApp.run(.sqlite, artifacts: medium) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let outside = try Sentinel(beside: app.store.artifactsDirectory)
            // On S3, the same secret in keys outside the prefix: the bucket's root and beside the prefix.
            let outsideKeys = ["secret.txt", "team/secret.txt", "team/\(outside.folderName)/secret.txt"]
            for outsideKey in outsideKeys { try await app.bucket?.put(outsideKey, Sentinel.content) }
            let run = "\(experimentId)/\(runId)/artifacts"
            let up = "../../../../\(outside.folderName)"
            let forms = [
                "\(run)/\(up)/secret.txt",
                "\(run)/\(up.replacingOccurrences(of: "/", with: "%2f"))%2fsecret.txt",
                "\(run)/\(up.replacingOccurrences(of: "..", with: "%2e%2e"))/secret.txt",
                "\(run)/\(up.replacingOccurrences(of: "..", with: "%252e%252e").replacingOccurrences(of: "/", with: "%252f"))%252fsecret.txt",
                "\(run)/\(up.replacingOccurrences(of: "/", with: "%5c"))%5csecret.txt",
                "\(run)/..\\..\\..\\..\\\(outside.folderName)\\secret.txt",
                "/\(outside.path)/secret.txt",
                "%2f\(outside.path.dropFirst().replacingOccurrences(of: "/", with: "%2f"))%2fsecret.txt",
                "\(run)/secret.txt%00.png", "\(run)/a.txt%3f/../../x", "\(run)/a%23/../../x", "C:%5cWindows%5cwin.ini",
            ]
            for form in forms {
                let put = try await client.putArtifact(form, "overwritten", key: key)
                #expect(put.status == .badRequest && put.message == "Invalid path", "PUT \(form): \(put.status) \(put.text)")
                let get = try await client.call(.get, "\(artifactsPrefix)/\(form)", key: key)
                #expect(get.status == .badRequest && get.message == "Invalid path", "GET \(form): \(get.text)")
                #expect(!get.text.contains(Sentinel.content))
                let delete = try await client.call(.delete, "\(artifactsPrefix)/\(form)", key: key)
                #expect(delete.status == .badRequest && delete.message == "Invalid path", "DELETE \(form)")
            }
            // The same forms as list paths: once as the client would send them (decoded once by the
            // query string), and as they would read after that decoding.
            let decodedForms = forms.map { $0.removingPercentEncoding ?? $0 }
            for listed in ["../", "/etc", "\(run)/\(up)", "\(run)/..%2f..", "%2e%2e", "\(run)\\..\\.."] + forms + decodedForms {
                let encoded = listed.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let list = try await client.call(.get, "\(artifactsPrefix)?path=\(encoded)", key: key)
                #expect(list.status == .badRequest && list.message == "Invalid path", "list \(listed): \(list.text)")
                let runList = try await client.mlflow(.get, "artifacts/list?run_id=\(runId)&path=\(encoded)", key: key)
                #expect(runList.status == .badRequest, "run list \(listed)")
            }
            try outside.expectUntouched()
            if let bucket = app.bucket {
                #expect(try await bucket.objects().keys.sorted() == outsideKeys.sorted(), "nothing written, nothing deleted")
            }
        }
    }

    @Test func symlinksInsideTheRootAreNotFollowed() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let outside = try Sentinel(beside: app.store.artifactsDirectory)
            let run = "\(experimentId)/\(runId)/artifacts"
            try await client.putArtifact("\(run)/real.txt", "ok", key: key)
            // Planted by someone with shell access: the API itself can never create a link.
            try FileManager.default.createSymbolicLink(
                atPath: app.store.artifactsDirectory + "/\(run)/link", withDestinationPath: outside.path)
            let get = try await client.call(.get, "\(artifactsPrefix)/\(run)/link/secret.txt", key: key)
            #expect(get.status == .badRequest && get.message == "Invalid path" && !get.text.contains(Sentinel.content))
            #expect(try await client.putArtifact("\(run)/link/secret.txt", "overwritten", key: key).status == .badRequest)
            #expect(try await client.putArtifact("\(run)/link/new.txt", "planted", key: key).status == .badRequest)
            #expect(try await client.call(.delete, "\(artifactsPrefix)/\(run)/link/secret.txt", key: key).status == .badRequest)
            let list = try await client.call(
                .get, "\(artifactsPrefix)?path=\(experimentId)%2F\(runId)%2Fartifacts%2Flink", key: key)
            #expect(list.status == .badRequest)
            // The link itself is not listed as an artifact either.
            #expect(try await client.listArtifacts(run, key: key).map { $0["path"] as? String } == ["real.txt"])
            try outside.expectUntouched()
        }
    }

    @Test func writesNeedOwnershipAndAWriteScopeWhileReadsAreOpen() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let alice = try await client.createKey(
                admin: app.adminKey, #"{"name":"a","user_id":"alice","scopes":["read","write"]}"#)
            let bob = try await client.createKey(admin: app.adminKey, #"{"name":"b","user_id":"bob","scopes":["read","write"]}"#)
            let reader = try await client.createKey(admin: app.adminKey, #"{"name":"r","user_id":"alice","scopes":["read"]}"#)
            let (experimentId, runId) = try await client.makeRun(key: alice.key)
            let file = "\(experimentId)/\(runId)/artifacts/a.txt"
            #expect(try await client.putArtifact(file, "alice's", key: alice.key).status == .ok)
            let refused = try await client.putArtifact(file, "bob's", key: bob.key)
            #expect(refused.status == .forbidden && refused.errorCode == "PERMISSION_DENIED", "\(refused.text)")
            #expect(refused.message?.contains("alice") == true)
            #expect(try await client.call(.delete, "\(artifactsPrefix)/\(file)", key: bob.key).status == .forbidden)
            #expect(try await client.putArtifact(file, "x", key: reader.key).status == .forbidden)
            #expect(try await client.call(.get, "\(artifactsPrefix)/\(file)", key: bob.key).text == "alice's")
            // Only inside a run's or logged model's artifacts folder, and only for runs that exist.
            #expect(try await client.putArtifact("\(experimentId)/loose.txt", "x", key: app.adminKey).status == .badRequest)
            let ghost = try await client.putArtifact(
                "\(experimentId)/\(String(repeating: "0", count: 32))/artifacts/x", "x", key: app.adminKey)
            #expect(ghost.status == .notFound)
        }
    }

    @Test(arguments: ArtifactMedium.available)
    func uploadsPastTheLimitGet413AndLeaveNoFile(medium: ArtifactMedium) async throws {
        try await TestApp.run(.sqlite, artifacts: medium, configure: { $0.maximumUploadBytes = 10 }) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            let file = "\(experimentId)/\(runId)/artifacts/big.bin"
            let refused = try await client.putArtifact(file, "eleven byte", key: key)
            #expect(refused.status == .contentTooLarge && refused.message?.contains("10 bytes") == true, "\(refused.text)")
            #expect(try await client.call(.get, "\(artifactsPrefix)/\(file)", key: key).status == .notFound)
            #expect(try await client.putArtifact(file, "ten bytes!", key: key).status == .ok)
            if let bucket = app.bucket {
                #expect(try await bucket.objects().keys.sorted() == ["team/mlflow/\(file)"])
                return
            }
            let staging = app.store.artifactsDirectory + "/.hokusai-uploads"
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
            #expect(try await client.listArtifacts("", key: key).allSatisfy { $0["path"] as? String != ".hokusai-uploads" })
        }
    }
}

/// A folder beside the artifact root holding a file no request may read, change or delete.
struct Sentinel {
    static let content = "sentinel-secret-do-not-serve"
    let path: String
    var folderName: String { URL(fileURLWithPath: path).lastPathComponent }
    private let parent: String
    private let parentListing: [String]

    init(beside artifactsDirectory: String) throws {
        let resolved = URL(fileURLWithPath: artifactsDirectory).resolvingSymlinksInPath()
        parent = resolved.deletingLastPathComponent().path
        path = parent + "/" + resolved.lastPathComponent + "-outside"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.content.write(toFile: path + "/secret.txt", atomically: true, encoding: .utf8)
        parentListing = try FileManager.default.contentsOfDirectory(atPath: parent).sorted()
    }

    func expectUntouched() throws {
        #expect(try String(contentsOfFile: path + "/secret.txt", encoding: .utf8) == Self.content)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path) == ["secret.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).sorted() == parentListing)
        try? FileManager.default.removeItem(atPath: path)
    }
}
