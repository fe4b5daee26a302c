import AsyncHTTPClient
import Foundation
import HokusaiCore
import NIOCore
import NIOHTTP1
import Testing

@testable import HokusaiServer

/// Where a test's artifacts live: the local folder always, an S3 bucket on moto's server when
/// `HOKUSAI_TEST_S3_ENDPOINT` names one (the test script starts it). With `HOKUSAI_REQUIRE_S3=1`
/// a missing server fails the S3 cases instead of skipping them.
enum ArtifactMedium: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case disk
    case s3

    var testDescription: String { rawValue }

    static var s3Endpoint: String? {
        ProcessInfo.processInfo.environment["HOKUSAI_TEST_S3_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var available: [ArtifactMedium] {
        let required = ProcessInfo.processInfo.environment["HOKUSAI_REQUIRE_S3"] == "1"
        return s3Endpoint != nil || required ? [.disk, .s3] : [.disk]
    }
}

/// A fresh bucket on the test S3 server, seen from outside the server under test: moto takes
/// unsigned requests, so the test reads the bucket without going through our client.
struct TestBucket: Sendable {
    let name: String
    let endpoint: String
    let prefix: String

    static func make(prefix: String = "team/mlflow") async throws -> TestBucket {
        guard let endpoint = ArtifactMedium.s3Endpoint else {
            throw TestStoreError("HOKUSAI_REQUIRE_S3=1 but HOKUSAI_TEST_S3_ENDPOINT is not set")
        }
        let bucket = TestBucket(
            name: "t-" + RandomIdentifier.make(prefix: "", length: 12).lowercased(), endpoint: endpoint, prefix: prefix)
        let created = try await bucket.call(.PUT, "")
        try #require(created.status == 200, "creating bucket \(bucket.name): \(created.status)")
        return bucket
    }

    /// The server's configuration for this bucket, with moto's fixed test credentials.
    func configuration() throws -> S3Configuration {
        var configuration = S3Configuration(
            location: try S3Location(parsing: "s3://\(name)/\(prefix)"), region: "us-east-1", endpoint: endpoint,
            environment: ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"])
        configuration.partSize = 5 << 20  // S3's smallest, so multipart tests stay small
        return configuration
    }

    /// Every key in the bucket, with its size.
    func objects() async throws -> [String: Int64] {
        var all: [String: Int64] = [:]
        var token: String?
        repeat {
            var query = "list-type=2"
            if let token { query += "&continuation-token=" + SigV4.uriEncode(token, keepSlash: false) }
            let reply = try await call(.GET, "?" + query)
            let page = try S3Messages.listPage(reply.body.readableBytesView)
            for object in page.objects { all[object.key] = object.size }
            token = page.nextContinuationToken
        } while token != nil
        return all
    }

    /// An object's bytes, read with a signed GetObject: moto refuses an unsigned one with a bare 403.
    func read(_ key: String) async throws -> ByteBuffer? {
        let configuration = try configuration()
        let client = S3Client(
            configuration: configuration, credentials: try AWSCredentialsChain.provider(for: configuration.environment))
        let body: ByteBuffer?
        do {
            body = try await client.getObject(key: key)?.response.body.collect(upTo: 64 << 20)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        return body
    }

    /// How many multipart uploads are started and neither completed nor aborted.
    func openMultipartUploads() async throws -> Int {
        let reply = try await call(.GET, "?uploads")
        return String(buffer: reply.body).components(separatedBy: "<Upload>").count - 1
    }

    func put(_ key: String, _ bytes: String) async throws {
        let reply = try await call(.PUT, "/" + SigV4.uriEncode(key, keepSlash: true), body: ByteBuffer(string: bytes))
        try #require(reply.status == 200)
    }

    func call(_ method: HTTPMethod, _ suffix: String, body: ByteBuffer? = nil) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: "\(endpoint)/\(name)\(suffix)")
        request.method = method
        if let body { request.body = .bytes(body) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), try await response.body.collect(upTo: 64 << 20))
    }
}
