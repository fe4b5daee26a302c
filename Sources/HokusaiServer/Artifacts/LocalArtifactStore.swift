import Foundation
import HokusaiCore
import Hummingbird
import NIOCore
import _NIOFileSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Artifacts in a folder on local disk (`<data-dir>/artifacts` by default).
///
/// Uploads stream into a staging file inside the root's own staging folder (same file system,
/// so the final `rename` is atomic) and are renamed into place only once complete: a reader never
/// sees half a file, and an upload cut short leaves nothing visible. Staging files left by a crash
/// are removed at start. Memory stays flat: bytes go from the socket to the disk a chunk at a time.
///
/// No path component may be a symlink: the server never creates one, so one found inside the root
/// was put there to point somewhere else.
struct LocalArtifactStore: ArtifactStore {
    /// Inside the root, hidden from listings and refused as a path.
    static let stagingFolderName = ".hokusai-uploads"

    let root: String
    private var stagingFolder: String { root + "/" + Self.stagingFolderName }
    private let fileSystem = FileSystem.shared

    /// Opens (creating it if needed) the store at `root`, and clears stale staging files.
    init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // The root itself may legitimately be reached through a symlink (/tmp on macOS); resolve it once.
        self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        try? FileManager.default.removeItem(atPath: stagingFolder)
        try FileManager.default.createDirectory(atPath: stagingFolder, withIntermediateDirectories: true)
    }

    func write<Body: AsyncSequence & Sendable>(
        _ path: ArtifactPath, from body: Body, maximumBytes: Int64
    ) async throws -> Int64 where Body.Element == ByteBuffer {
        try checkNoSymlinks(path)
        guard !path.isRoot else { throw ArtifactStoreError.isDirectory }
        let target = fullPath(path)
        if isDirectory(target) { throw ArtifactStoreError.conflictsWithExisting("'\(path)' is a folder") }
        let staging = stagingFolder + "/" + UUID().uuidString
        var written: Int64 = 0
        do {
            try await fileSystem.withFileHandle(forWritingAt: FilePath(staging), options: .newFile(replaceExisting: false)) {
                handle in
                try await handle.withBufferedWriter { writer in
                    for try await chunk in body {
                        written += Int64(chunk.readableBytes)
                        if written > maximumBytes { throw ArtifactStoreError.tooLarge(limit: maximumBytes) }
                        _ = try await writer.write(contentsOf: chunk)
                    }
                }
            }
            try makeParentFolders(of: path)
            guard rename(staging, target) == 0 else {
                throw ArtifactStoreError.conflictsWithExisting("cannot store '\(path)': \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(staging)
            throw error
        }
        return written
    }

    func read(_ path: ArtifactPath, range: ByteRange?) async throws -> ArtifactDownload? {
        try checkNoSymlinks(path)
        let target = fullPath(path)
        var status = stat()
        guard lstat(target, &status) == 0 else { return nil }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw ArtifactStoreError.isDirectory }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw ArtifactStoreError.invalidPath }
        let size = Int64(status.st_size)
        var bytes = 0..<size
        if let range {
            guard let wanted = range.resolve(size: size) else { throw ArtifactStoreError.rangeNotSatisfiable(size: size) }
            bytes = wanted.lowerBound..<(wanted.upperBound + 1)
        }
        let fileSystem = self.fileSystem
        let body = ResponseBody(contentLength: bytes.count) { [bytes] writer in
            try await fileSystem.withFileHandle(forReadingAt: FilePath(target)) { handle in
                for try await chunk in handle.readChunks(in: bytes, chunkLength: .kibibytes(256)) {
                    try await writer.write(chunk)
                }
            }
            try await writer.finish(nil)
        }
        var download = ArtifactDownload(size: Int64(bytes.count), body: body)
        if range != nil { download.range = (bytes.lowerBound...(bytes.upperBound - 1), size) }
        return download
    }

    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry] {
        try checkNoSymlinks(path)
        let folder = fullPath(path)
        guard isDirectory(folder), let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var entries: [ArtifactEntry] = []
        for name in names.sorted() where !(path.isRoot && name == Self.stagingFolderName) {
            var status = stat()
            guard lstat(folder + "/" + name, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: entries.append(ArtifactEntry(name: name, isDirectory: true, size: nil))
            case S_IFREG: entries.append(ArtifactEntry(name: name, isDirectory: false, size: Int64(status.st_size)))
            default: continue  // symlinks and devices are not artifacts
            }
        }
        return entries
    }

    func delete(_ path: ArtifactPath) async throws {
        try checkNoSymlinks(path)
        guard !path.isRoot else { throw ArtifactStoreError.invalidPath }
        let target = fullPath(path)
        var status = stat()
        guard lstat(target, &status) == 0 else { return }
        // Moved aside first, so a half-finished recursive delete never leaves a partial folder visible.
        let doomed = stagingFolder + "/deleting-" + UUID().uuidString
        guard rename(target, doomed) == 0 else {
            throw ArtifactStoreError.conflictsWithExisting("cannot delete '\(path)': \(String(cString: strerror(errno)))")
        }
        try await fileSystem.removeItem(at: FilePath(doomed), strategy: .platformDefault, recursively: true)
    }

    // MARK: Paths

    func fullPath(_ path: ArtifactPath) -> String {
        path.isRoot ? root : root + "/" + path.description
    }

    /// Refuses a path through a symlink, or into the staging folder.
    func checkNoSymlinks(_ path: ArtifactPath) throws {
        if path.segments.first == Self.stagingFolderName { throw ArtifactStoreError.invalidPath }
        var current = root
        for segment in path.segments {
            current += "/" + segment
            var status = stat()
            guard lstat(current, &status) == 0 else { return }  // the rest does not exist yet
            if (status.st_mode & S_IFMT) == S_IFLNK { throw ArtifactStoreError.invalidPath }
        }
    }

    func isDirectory(_ fullPath: String) -> Bool {
        var status = stat()
        return lstat(fullPath, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    func makeParentFolders(of path: ArtifactPath) throws {
        var current = root
        for segment in path.segments.dropLast() {
            current += "/" + segment
            if mkdir(current, 0o755) != 0 {
                guard errno == EEXIST else {
                    throw ArtifactStoreError.conflictsWithExisting("cannot create folder: \(String(cString: strerror(errno)))")
                }
                guard isDirectory(current) else {
                    throw ArtifactStoreError.conflictsWithExisting(
                        "'\(current.dropFirst(root.count + 1))' is a file, not a folder")
                }
            }
        }
    }
}
