import CompressNIO
import Foundation
import HokusaiCore
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization
import _NIOFileSystem

/// The compiled MLflow UI (`mlflow/server/js/build`, shipped inside the `mlflow` Python package),
/// served as it is: we never copy it into our repository.
///
/// The folder is listed once at start: a request is answered only with a file of that list,
/// looked up by its exact relative path, so no request path can reach outside it (no `..`, no
/// encoding tricks, no symlinks followed). Text files are gzipped once, on first demand and off
/// the event loops, and kept (the whole build is ~7 MiB gzipped); the rest is read from disk.
final class MLflowUIFiles: Sendable {
    struct Entry: Sendable {
        let fullPath: String
        let size: Int64
        let etag: String
        let contentType: String
        let cacheControl: String
        let compressible: Bool
    }

    let directory: String
    let entries: [String: Entry]
    private let gzipped = Mutex([String: ByteBuffer]())

    /// Lists `directory`; it must hold the build's `index.html`.
    init(directory: String) throws {
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard FileManager.default.fileExists(atPath: root + "/index.html") else {
            throw ConfigurationError(
                description:
                    "'\(directory)' is not a compiled MLflow UI (no index.html); it is mlflow/server/js/build in the mlflow package"
            )
        }
        var entries: [String: Entry] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            let full = root + "/" + relative
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = Int64((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
            entries[relative] = Entry(
                fullPath: full, size: size, etag: "\"\(String(size, radix: 16))-\(String(modified, radix: 16))\"",
                contentType: StaticAssetRules.contentType(forPath: relative),
                cacheControl: StaticAssetRules.cacheControl(forPath: relative),
                compressible: StaticAssetRules.isCompressible(path: relative) && size >= 1_024)
        }
        self.directory = root
        self.entries = entries
    }

    func contains(_ relativePath: Substring) -> Bool {
        entries[String(relativePath)] != nil
    }

    /// The file at `relativePath` (`index.html`, `static/js/main.….js`), or nil when the build has none.
    func response(for relativePath: String, request: Request) async throws -> Response? {
        guard let entry = entries[relativePath] else { return nil }
        var headers: HTTPFields = [
            .contentType: entry.contentType, .cacheControl: entry.cacheControl, .eTag: entry.etag,
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if entry.compressible { headers[.vary] = "Accept-Encoding" }
        if let tags = request.headers[.ifNoneMatch], tags.split(separator: ",").contains(where: { $0.trimmed() == entry.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        let body: ByteBuffer
        if entry.compressible, StaticAssetRules.acceptsGzip(request.headers[.acceptEncoding]) {
            body = try await gzippedBytes(of: relativePath, entry: entry)
            headers[.contentEncoding] = "gzip"
        } else {
            body = try await Self.read(entry)
        }
        headers[.contentLength] = String(body.readableBytes)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    private func gzippedBytes(of relativePath: String, entry: Entry) async throws -> ByteBuffer {
        if let cached = gzipped.withLock({ $0[relativePath] }) { return cached }
        let raw = try await Self.read(entry)
        // Deflating the 4 MiB main bundle takes ~100 ms: not on an event loop.
        let compressed = try await NIOThreadPool.singleton.runIfActive {
            var bytes = raw
            return try bytes.compress(with: .gzip())
        }
        gzipped.withLock { $0[relativePath] = compressed }
        return compressed
    }

    private static func read(_ entry: Entry) async throws -> ByteBuffer {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(entry.fullPath)) { handle in
            try await handle.readToEnd(maximumSizeAllowed: .bytes(max(entry.size, 1) + 1))
        }
    }
}

extension Substring {
    fileprivate func trimmed() -> Substring {
        drop(while: { $0 == " " })
    }
}
