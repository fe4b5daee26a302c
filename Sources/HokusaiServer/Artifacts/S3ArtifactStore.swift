import AsyncHTTPClient
import HokusaiCore
import Hummingbird
import NIOCore

/// Artifacts in an S3-compatible bucket, under the prefix of `--artifacts-destination`.
///
/// Uploads stream: bytes are gathered one part (8 MiB by default) at a time, so memory stays at
/// about two parts whatever the file's size. A body that ends within the first part is one
/// `PutObject`; a longer one becomes a multipart upload whose parts go up while the next part
/// arrives, and which is aborted if the body fails, is cut short or passes the limit, so no
/// orphan parts stay billed. S3 replaces an object atomically: readers see the old file or the
/// whole new one.
///
/// S3 has no folders: a folder is the prefix `path/` of the keys below it. Paths reach here
/// already checked and canonical (`ArtifactPath`), and S3 interprets no `..`, so a key can never
/// leave the run's or model's prefix.
struct S3ArtifactStore: ArtifactStore {
    let client: S3Client
    var location: S3Location { client.configuration.location }

    func write<Body: AsyncSequence & Sendable>(
        _ path: ArtifactPath, from body: Body, maximumBytes: Int64
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        guard !path.isRoot else { throw ArtifactStoreError.isDirectory }
        if try await isFolder(path) { throw ArtifactStoreError.conflictsWithExisting("'\(path)' is a folder") }
        return try await upload(key: location.key(path.description), from: body, maximumBytes: maximumBytes)
    }

    /// Streams `body` to `key`: one `PutObject`, or a multipart upload past one part.
    func upload<Body: AsyncSequence & Sendable>(
        key: String, from body: Body, maximumBytes: Int64, metadata: [String: String] = [:]
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        let partSize = client.configuration.partSize
        var pending = ByteBuffer()
        var written: Int64 = 0
        var upload: MultipartUpload?
        do {
            for try await chunk in body {
                written += Int64(chunk.readableBytes)
                if written > maximumBytes { throw ArtifactStoreError.tooLarge(limit: maximumBytes) }
                var chunk = chunk
                pending.writeBuffer(&chunk)
                while pending.readableBytes >= partSize {
                    let part = pending.readSlice(length: partSize)!
                    if upload == nil { upload = try await MultipartUpload(client: client, key: key, metadata: metadata) }
                    try await upload!.send(part)
                    pending.discardReadBytes()
                }
            }
            guard let started = upload else {
                try await client.putObject(key: key, bytes: pending, metadata: metadata)
                return written
            }
            if pending.readableBytes > 0 { try await started.send(pending) }
            try await started.complete()
            return written
        } catch {
            await upload?.abort()
            throw error
        }
    }

    func read(_ path: ArtifactPath, range: ByteRange?) async throws -> ArtifactDownload? {
        guard !path.isRoot else { throw ArtifactStoreError.isDirectory }
        let key = location.key(path.description)
        let answer: S3Client.ObjectAnswer
        do {
            guard let found = try await client.getObject(key: key, range: range?.headerValue) else {
                if try await isFolder(path) { throw ArtifactStoreError.isDirectory }
                return nil
            }
            answer = found
        } catch let failure as S3Failure where failure.code == "InvalidRange" {
            throw ArtifactStoreError.rangeNotSatisfiable(size: try await client.objectSize(key: key) ?? 0)
        }
        let response = answer.response
        let size = response.headers.first(name: "Content-Length").flatMap(Int64.init) ?? -1
        let body = ResponseBody(contentLength: size >= 0 ? Int(size) : nil) { writer in
            // Backpressured: the next chunk is read from S3 only once the client took this one.
            for try await chunk in response.body { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        var download = ArtifactDownload(size: size, body: body)
        download.range = answer.contentRange
        return download
    }

    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        let prefix = location.folderPrefix(path.description)
        var entries: [ArtifactEntry] = []
        var token: String?
        repeat {
            let page = try await client.listObjects(prefix: prefix, delimiter: "/", continuationToken: token)
            for folder in page.commonPrefixes {
                let name = folder.dropFirst(prefix.count).dropLast()
                if !name.isEmpty { entries.append(ArtifactEntry(name: String(name), isDirectory: true, size: nil)) }
            }
            for object in page.objects {
                let name = object.key.dropFirst(prefix.count)
                // `path/` itself (a folder marker some tools write) is not a file in it.
                if !name.isEmpty { entries.append(ArtifactEntry(name: String(name), isDirectory: false, size: object.size)) }
            }
            token = page.nextContinuationToken
        } while token != nil
        return entries.sorted { $0.name < $1.name }
    }

    func delete(_ path: ArtifactPath) async throws {
        guard !path.isRoot else { throw ArtifactStoreError.invalidPath }
        try await client.deleteObject(key: location.key(path.description))
        // Everything below it, a page of up to 1,000 keys per call.
        let prefix = location.folderPrefix(path.description)
        var token: String?
        repeat {
            let page = try await client.listObjects(prefix: prefix, delimiter: nil, continuationToken: token)
            try await client.deleteObjects(keys: page.objects.map(\.key))
            token = page.nextContinuationToken
        } while token != nil
    }

    /// Whether any key lies below `path/`.
    func isFolder(_ path: ArtifactPath) async throws -> Bool {
        let page = try await client.listObjects(
            prefix: location.folderPrefix(path.description), delimiter: nil, continuationToken: nil, maxKeys: 1)
        return !page.objects.isEmpty
    }
}

/// One multipart upload in progress: each part goes up while the caller gathers the next one
/// (at most one part in flight), so a slow S3 holds back the client instead of filling memory.
final class MultipartUpload: @unchecked Sendable {
    // Only ever used by the one task that runs the upload; `@unchecked` for the stored task.
    let client: S3Client
    let key: String
    let uploadId: String
    private var parts: [(number: Int, etag: String)] = []
    private var inFlight: Task<(Int, String), any Error>?

    init(client: S3Client, key: String, metadata: [String: String]) async throws {
        self.client = client
        self.key = key
        self.uploadId = try await client.createMultipartUpload(key: key, metadata: metadata)
    }

    func send(_ part: ByteBuffer) async throws {
        try await awaitInFlight()
        let number = parts.count + 1
        let (client, key, uploadId) = (self.client, self.key, self.uploadId)
        inFlight = Task {
            (number, try await client.uploadPart(key: key, uploadId: uploadId, number: number, bytes: part))
        }
    }

    func complete() async throws {
        try await awaitInFlight()
        try await client.completeMultipartUpload(key: key, uploadId: uploadId, parts: parts)
    }

    /// Aborts the upload so S3 drops its parts; a failure to abort is left to the bucket's
    /// lifecycle rule for incomplete uploads (the README recommends one).
    func abort() async {
        inFlight?.cancel()
        _ = try? await inFlight?.value
        inFlight = nil
        try? await client.abortMultipartUpload(key: key, uploadId: uploadId)
    }

    private func awaitInFlight() async throws {
        guard let task = inFlight else { return }
        inFlight = nil
        let (number, etag) = try await task.value
        parts.append((number, etag))
    }
}
