import AsyncHTTPClient
import Crypto
import Foundation
import HokusaiCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The S3 calls the artifact store makes, signed with SigV4, over AsyncHTTPClient. Every
/// failure is an `S3Failure` naming the bucket, the region and S3's code.
final class S3Client: Service, Sendable {
    let configuration: S3Configuration
    let credentials: any AWSCredentialsProvider
    let http: HTTPClient
    /// For `CompleteMultipartUpload`, which may think for minutes before it answers: S3 and MinIO
    /// keep the connection alive meanwhile with whitespace, other stores (moto, for one) do not.
    let patientHTTP: HTTPClient
    let clock: @Sendable () -> Int64
    let metrics: AppMetrics?
    let logger: Logger

    init(
        configuration: S3Configuration, credentials: any AWSCredentialsProvider, metrics: AppMetrics? = nil,
        logger: Logger = Logger(label: "hokusai.s3"),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.configuration = configuration
        self.credentials = credentials
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.timeout = .init(
            connect: .milliseconds(configuration.connectTimeoutMillis), read: .milliseconds(configuration.readTimeoutMillis))
        clientConfiguration.decompression = .disabled
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        clientConfiguration.timeout.read = .minutes(15)
        patientHTTP = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// Checks the bucket once at start, so a misconfiguration is in the log before the first
    /// upload fails (the MLflow client retries a 503 and then shows only "too many 503 error
    /// responses"); the server starts either way, since S3 may come back.
    func run() async throws {
        let location = configuration.location.description
        let endpoint = configuration.endpoint ?? "AWS"
        do {
            try await headBucket()
            logger.info(
                "artifact store ready",
                metadata: ["location": "\(location)", "region": "\(configuration.region)", "endpoint": "\(endpoint)"])
        } catch {
            logger.error(
                "artifact store does not answer: uploads and downloads fail until it does",
                metadata: ["location": "\(location)", "endpoint": "\(endpoint)", "error": "\(error)"])
        }
        try? await gracefulShutdown()
        try? await http.shutdown()
        try? await patientHTTP.shutdown()
    }

    /// Closes the connections, for a command that used the client outside a server's lifetime.
    func close() async {
        try? await http.shutdown()
        try? await patientHTTP.shutdown()
    }

    /// A signed request body: the bytes (hashed, so S3 checks them end to end) or nothing.
    enum Payload {
        case empty
        case bytes(ByteBuffer)
    }

    /// Sends one signed request and returns S3's answer when it is a success (2xx, or a status in
    /// `accepting`); any other answer becomes an `S3Failure`. The body of a success is the
    /// caller's to read.
    func send(
        _ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
        payload: Payload = .empty, accepting: Set<Int> = [], operation: String, timeout: TimeAmount = .minutes(10),
        patient: Bool = false
    ) async throws -> HTTPClientResponse {
        do {
            return try await sendOnce(
                method, key: key, query: query, headers: extra, payload: payload, accepting: accepting,
                operation: operation, timeout: timeout, client: patient ? patientHTTP : http)
        } catch let failure as S3Failure {
            record(failure)
            throw failure
        }
    }

    /// Every failure is counted and logged once, with what names the cause and never a credential.
    func record(_ failure: S3Failure) {
        metrics?.recordArtifactStoreFailure(failure.reason.rawValue)
        logger.warning(
            "artifact storage call failed",
            metadata: [
                "reason": "\(failure.reason.rawValue)", "s3_code": "\(failure.code ?? "-")",
                "bucket": "\(configuration.location.bucket)", "region": "\(configuration.region)",
                "error": "\(failure.message)",
            ])
    }

    private func sendOnce(
        _ method: HTTPMethod, key: String?, query: [(String, String)], headers extra: [(String, String)],
        payload: Payload, accepting: Set<Int>, operation: String, timeout: TimeAmount, client: HTTPClient
    ) async throws -> HTTPClientResponse {
        let base = configuration.base
        let path = base.pathPrefix + "/" + (key ?? "")
        let payloadHash: String
        switch payload {
        case .empty: payloadHash = SigV4.emptyPayloadHash
        case .bytes(let buffer): payloadHash = Hex.lowercase(SHA256.hash(data: buffer.readableBytesView))
        }
        let credentials: AWSCredentials
        do {
            credentials = try await self.credentials.credentials()
        } catch {
            throw S3Failure(
                reason: .credentials, code: nil, status: nil,
                message: "Artifact storage failed (\(operation)): no S3 credentials: \(error)")
        }
        let amzDate = SigV4.amzDate(epochSeconds: clock())
        var headers = [("host", base.host)] + extra
        headers += SigV4.amzHeaders(amzDate: amzDate, payloadHash: payloadHash, credentials: credentials)
        if case .bytes(let buffer) = payload { headers.append(("content-length", String(buffer.readableBytes))) }
        let signature = SigV4.sign(
            SigV4.Request(method: method.rawValue, path: path, query: query, headers: headers, payloadHash: payloadHash),
            credentials: credentials, scope: SigningScope(region: configuration.region), amzDate: amzDate)

        let canonicalQuery = SigV4.canonicalQuery(query)
        // The path goes on the wire exactly as it was signed: encoded once, never normalized.
        var request = HTTPClientRequest(
            url: base.url + SigV4.uriEncode(path, keepSlash: true) + (canonicalQuery.isEmpty ? "" : "?" + canonicalQuery))
        request.method = method
        for (name, value) in headers where name != "host" && name != "content-length" {
            request.headers.add(name: name, value: value)
        }
        request.headers.add(name: "Authorization", value: signature.authorization)
        if case .bytes(let buffer) = payload { request.body = .bytes(buffer) }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw S3Failure.transport(error, configuration: configuration, operation: operation)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || accepting.contains(status) { return response }
        let body = try? await response.body.collect(upTo: 1 << 16)
        throw S3Failure.answer(
            status: status, body: body.flatMap { S3Messages.errorBody($0.readableBytesView) },
            bucketRegion: response.headers.first(name: "x-amz-bucket-region"), configuration: configuration,
            operation: operation)
    }

    /// The whole body of a success, up to `limit` bytes (S3's XML answers).
    func body(of response: HTTPClientResponse, operation: String, limit: Int = 16 << 20) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: limit)
        } catch {
            throw S3Failure.transport(error, configuration: configuration, operation: operation)
        }
    }

    // MARK: Calls

    /// `metadata` becomes `x-amz-meta-<name>` headers, returned by `headObject`.
    func putObject(key: String, bytes: ByteBuffer, metadata: [String: String] = [:]) async throws {
        _ = try await send(
            .PUT, key: key, headers: Self.metadataHeaders(metadata), payload: .bytes(bytes), operation: "PutObject \(key)")
    }

    static func metadataHeaders(_ metadata: [String: String]) -> [(String, String)] {
        metadata.sorted { $0.key < $1.key }.map { ("x-amz-meta-\($0.key)", $0.value) }
    }

    /// An object's size and metadata (`x-amz-meta-*`, names without the prefix), or nil when there is none.
    func headObject(key: String) async throws -> (size: Int64, metadata: [String: String])? {
        let response = try await send(.HEAD, key: key, accepting: [404], operation: "HeadObject \(key)")
        guard response.status != .notFound else { return nil }
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.lowercased().hasPrefix("x-amz-meta-") {
            metadata[String(name.lowercased().dropFirst("x-amz-meta-".count))] = value
        }
        return (response.headers.first(name: "Content-Length").flatMap(Int64.init) ?? 0, metadata)
    }

    /// An object's answer; for a range, the bytes it holds and the object's whole size.
    struct ObjectAnswer {
        let response: HTTPClientResponse
        let contentRange: (bytes: ClosedRange<Int64>, of: Int64)?
    }

    /// The object, streamed, or nil when there is none. `range` is an HTTP `Range` value.
    func getObject(key: String, range: String? = nil) async throws -> ObjectAnswer? {
        let response = try await send(
            .GET, key: key, headers: range.map { [("range", $0)] } ?? [], accepting: [404], operation: "GetObject \(key)",
            timeout: .hours(6))
        guard response.status == .notFound else {
            // `Content-Range: bytes 0-99/1000` on a 206.
            let contentRange = response.headers.first(name: "Content-Range").flatMap(Self.parseContentRange)
            return ObjectAnswer(response: response, contentRange: response.status == .partialContent ? contentRange : nil)
        }
        let body = try? await response.body.collect(upTo: 1 << 16)
        let error = body.flatMap { S3Messages.errorBody($0.readableBytesView) }
        if let error, error.code != "NoSuchKey" {
            throw S3Failure.answer(
                status: 404, body: error, bucketRegion: nil, configuration: configuration, operation: "GetObject \(key)")
        }
        return nil
    }

    static func parseContentRange(_ value: String) -> (bytes: ClosedRange<Int64>, of: Int64)? {
        let parts = value.dropFirst("bytes ".count).split(separator: "/")
        guard value.hasPrefix("bytes "), parts.count == 2, let total = Int64(parts[1]) else { return nil }
        let ends = parts[0].split(separator: "-")
        guard ends.count == 2, let first = Int64(ends[0]), let last = Int64(ends[1]), first <= last else { return nil }
        return (first...last, total)
    }

    /// The object's size from `HeadObject`, or nil when there is none.
    func objectSize(key: String) async throws -> Int64? {
        try await headObject(key: key)?.size
    }

    /// One page of keys under `prefix`, with folders when `delimiter` is given.
    func listObjects(prefix: String, delimiter: String?, continuationToken: String?, maxKeys: Int = 1000) async throws
        -> S3Messages.ListPage
    {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let operation = "ListObjectsV2 \(prefix.isEmpty ? "/" : prefix)"
        let response = try await send(.GET, key: nil, query: query, operation: operation)
        let body = try await body(of: response, operation: operation)
        do {
            return try S3Messages.listPage(body.readableBytesView)
        } catch {
            throw S3Failure(reason: .other, code: nil, status: 200, message: "Artifact storage failed (\(operation)): \(error)")
        }
    }

    /// Deletes up to 1,000 keys in one call.
    func deleteObjects(keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        let xml = ByteBuffer(string: S3Messages.deleteObjects(keys: keys))
        // DeleteObjects needs an integrity header; MD5 is the one every S3-compatible service takes.
        let md5 = Data(Insecure.MD5.hash(data: xml.readableBytesView)).base64EncodedString()
        let operation = "DeleteObjects (\(keys.count) keys)"
        let response = try await send(
            .POST, key: nil, query: [("delete", "")], headers: [("content-md5", md5), ("content-type", "application/xml")],
            payload: .bytes(xml), operation: operation)
        let body = try await body(of: response, operation: operation)
        let failures = (try? S3Messages.deleteFailures(body.readableBytesView)) ?? []
        if let first = failures.first {
            throw S3Failure.answer(
                status: 200, body: .init(code: first.code, message: "could not delete '\(first.key)'", region: nil),
                bucketRegion: nil, configuration: configuration, operation: operation)
        }
    }

    func deleteObject(key: String) async throws {
        _ = try await send(.DELETE, key: key, accepting: [404], operation: "DeleteObject \(key)")
    }

    func createMultipartUpload(key: String, metadata: [String: String] = [:]) async throws -> String {
        let operation = "CreateMultipartUpload \(key)"
        let response = try await send(
            .POST, key: key, query: [("uploads", "")], headers: Self.metadataHeaders(metadata), operation: operation)
        let body = try await body(of: response, operation: operation)
        do {
            return try S3Messages.uploadId(body.readableBytesView)
        } catch {
            throw S3Failure(reason: .other, code: nil, status: 200, message: "Artifact storage failed (\(operation)): \(error)")
        }
    }

    /// Uploads one part and returns its ETag.
    func uploadPart(key: String, uploadId: String, number: Int, bytes: ByteBuffer) async throws -> String {
        let operation = "UploadPart \(number) of \(key)"
        let response = try await send(
            .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", uploadId)], payload: .bytes(bytes),
            operation: operation)
        guard let etag = response.headers.first(name: "ETag") else {
            throw S3Failure(reason: .other, code: nil, status: 200, message: "Artifact storage failed (\(operation)): no ETag")
        }
        return etag
    }

    func completeMultipartUpload(key: String, uploadId: String, parts: [(number: Int, etag: String)]) async throws {
        let operation = "CompleteMultipartUpload \(key)"
        let response = try await send(
            .POST, key: key, query: [("uploadId", uploadId)], headers: [("content-type", "application/xml")],
            payload: .bytes(ByteBuffer(string: S3Messages.completeMultipartUpload(parts: parts))), operation: operation,
            timeout: .minutes(15), patient: true)
        // S3 may answer 200 and report the failure in the body.
        let body = try await body(of: response, operation: operation)
        if let error = S3Messages.completionFailed(body.readableBytesView) {
            throw S3Failure.answer(
                status: 200, body: error, bucketRegion: nil, configuration: configuration, operation: operation)
        }
    }

    func abortMultipartUpload(key: String, uploadId: String) async throws {
        _ = try await send(
            .DELETE, key: key, query: [("uploadId", uploadId)], accepting: [404], operation: "AbortMultipartUpload \(key)")
    }

    /// `HeadBucket`: whether the bucket answers with these credentials in this region.
    func headBucket() async throws {
        do {
            _ = try await send(.HEAD, key: nil, operation: "HeadBucket")
        } catch let failure as S3Failure where failure.status == 404 {
            // A HEAD has no body to name the code: its 404 can only mean the bucket.
            throw S3Failure.answer(
                status: 404, body: .init(code: "NoSuchBucket", message: nil, region: nil), bucketRegion: nil,
                configuration: configuration, operation: "HeadBucket")
        }
    }
}
