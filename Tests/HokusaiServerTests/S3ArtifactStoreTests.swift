import Foundation
import HTTPTypes
import HokusaiCore
import HokusaiServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The artifact API on an S3 bucket (moto's server): what only S3 has — multipart uploads,
/// paginated listings, keys under the configured prefix — and S3's failures, each answered to
/// the MLflow client as a 5xx that names the cause.
@Suite(.enabled(if: ArtifactMedium.available.contains(.s3)))
struct S3ArtifactStoreTests {
    /// `count` pseudo-random bytes, eight at a time (a debug build is slow byte by byte).
    static func bytes(_ count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(count + 8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        while buffer.readableBytes < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            buffer.writeInteger(state)
        }
        return buffer.getSlice(at: 0, length: count)!
    }

    func put(_ client: some TestClientProtocol, _ path: String, _ body: ByteBuffer, key: String) async throws
        -> HTTPResponse.Status
    {
        try await client.execute(
            uri: "\(artifactsPrefix)/\(path)", method: .put, headers: [.authorization: "Bearer \(key)"], body: body
        ) { $0.status }
    }

    @Test func aLargeUploadGoesUpInPartsAndComesBackWhole() async throws {
        try await TestApp.run(.sqlite, artifacts: .s3) { client, app in
            let bucket = try #require(app.bucket)
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let path = "\(experimentId)/\(runId)/artifacts/model/weights.bin"
            let body = Self.bytes(12 << 20 + 12_345)  // two full 5 MiB parts and a short last one
            #expect(try await put(client, path, body, key: app.adminKey) == .ok)
            let objects = try await bucket.objects()
            #expect(objects == ["team/mlflow/\(path)": Int64(body.readableBytes)], "\(objects)")
            #expect(try await bucket.openMultipartUploads() == 0)
            let back = try await client.execute(
                uri: "\(artifactsPrefix)/\(path)", method: .get, headers: [.authorization: "Bearer \(app.adminKey)"]
            ) { $0 }
            #expect(back.status == .ok && back.body == body)
            #expect(back.headers[.contentLength] == String(body.readableBytes))
        }
    }

    @Test func anUploadPastTheLimitAbortsItsPartsAndLeavesNoObject() async throws {
        try await TestApp.run(.sqlite, artifacts: .s3, configure: { $0.maximumUploadBytes = 7 << 20 }) { client, app in
            let bucket = try #require(app.bucket)
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let path = "\(experimentId)/\(runId)/artifacts/too-big.bin"
            // Sent without a length, so the limit is found only after the first part went up.
            let refused = try await client.execute(
                uri: "\(artifactsPrefix)/\(path)", method: .put,
                headers: [.authorization: "Bearer \(app.adminKey)", .transferEncoding: "chunked"], body: Self.bytes(9 << 20)
            ) { $0.status }
            #expect(refused == .contentTooLarge)
            #expect(try await bucket.objects().isEmpty)
            #expect(try await bucket.openMultipartUploads() == 0, "the started upload was aborted")
        }
    }

    @Test func listingsPageThroughMoreThanAThousandKeysAndDeleteRemovesThemAll() async throws {
        try await TestApp.run(.sqlite, artifacts: .s3) { client, app in
            let bucket = try #require(app.bucket)
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let root = "\(experimentId)/\(runId)/artifacts"
            for index in 0..<1_005 {
                try await bucket.put("team/mlflow/\(root)/many/f\(String(format: "%04d", index)).txt", "x")
            }
            try await bucket.put("team/mlflow/\(root)/many/sub/deep.txt", "deeper")
            try await bucket.put("team/mlflow/\(root)/keep.txt", "kept")
            let listed = try await client.listArtifacts("\(root)/many", key: app.adminKey)
            #expect(listed.count == 1_006, "1,005 files and the folder 'sub'")
            #expect(listed.first?["path"] as? String == "f0000.txt" && listed.last?["path"] as? String == "sub")
            #expect(listed.last?["is_dir"] as? Bool == true)
            let deleted = try await client.call(.delete, "\(artifactsPrefix)/\(root)/many", key: app.adminKey)
            #expect(deleted.status == .ok, "\(deleted.text)")
            #expect(try await bucket.objects() == ["team/mlflow/\(root)/keep.txt": 4])
        }
    }

    @Test func aMissingBucketIsA503NamingTheBucket() async throws {
        try await TestApp.run(
            .sqlite, artifacts: .s3,
            configure: { configuration in
                configuration.artifactsDestination?.location = try! S3Location(parsing: "s3://no-such-bucket-here/x")
            }
        ) { client, app in
            let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
            let reply = try await client.putArtifact("\(experimentId)/\(runId)/artifacts/a.txt", "a", key: app.adminKey)
            #expect(reply.status == .serviceUnavailable, "\(reply.text)")
            #expect(reply.errorCode == "TEMPORARILY_UNAVAILABLE")
            #expect(
                reply.message?.contains("bucket 'no-such-bucket-here' does not exist in region us-east-1") == true,
                "\(reply.text)")
            #expect(reply.message?.contains("testing") == false, "no credential in the message")
        }
    }

    @Test func anUnreachableOrSilentEndpointIsA503OrA504NamingIt() async throws {
        let silent = try SilentListener()
        let closedPort = try SilentListener().port  // bound, then closed at once: nothing listens there
        for (endpoint, status, words) in [
            ("http://127.0.0.1:\(closedPort)", HTTPResponse.Status.serviceUnavailable, "cannot reach"),
            ("http://127.0.0.1:\(silent.port)", .gatewayTimeout, "did not answer within 300 ms"),
        ] {
            try await TestApp.run(
                .sqlite, artifacts: .s3,
                configure: { configuration in
                    configuration.artifactsDestination?.endpoint = endpoint
                    configuration.artifactsDestination?.readTimeoutMillis = 300
                    configuration.artifactsDestination?.connectTimeoutMillis = 300
                }
            ) { client, app in
                let (experimentId, runId) = try await client.makeRun(key: app.adminKey)
                let reply = try await client.call(
                    .get, "\(artifactsPrefix)?path=\(experimentId)%2F\(runId)%2Fartifacts", key: app.adminKey)
                #expect(reply.status == status, "\(endpoint): \(reply.text)")
                #expect(reply.message?.contains(words) == true && reply.message?.contains(endpoint) == true, "\(reply.text)")
            }
        }
        _ = silent
    }
}
