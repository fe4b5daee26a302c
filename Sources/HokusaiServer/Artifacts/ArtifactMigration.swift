import Crypto
import Foundation
import HokusaiCore
import Logging
import NIOCore
import _NIOFileSystem

/// Copies a local artifact store into an S3 bucket (`hokusai artifacts migrate`), so a deployment
/// can move to `--artifacts-destination` without losing a file.
///
/// Resumable and verified: each object carries its file's SHA-256 as `x-amz-meta-hokusai-sha256`,
/// so a second run skips every file already there with the same size and hash and copies only
/// the rest; after each upload the object's size and hash are read back and compared. Files are
/// read twice (hash, then upload), never held in memory whole.
public struct ArtifactMigration: Sendable {
    public static let hashMetadata = "hokusai-sha256"

    public struct Progress: Sendable, Equatable {
        public var filesTotal = 0
        public var bytesTotal: Int64 = 0
        public var filesDone = 0
        public var bytesDone: Int64 = 0
        public var copied = 0
        public var alreadyThere = 0
        public var failed = 0
    }

    public struct Failure: Sendable, Equatable {
        public let path: String
        public let reason: String
    }

    public struct Summary: Sendable {
        public let progress: Progress
        public let failures: [Failure]
        /// Files left out: not artifacts (symlinks, staging files, names no artifact path may have).
        public let skipped: [Failure]
    }

    let source: String
    let destination: S3Configuration
    let concurrency: Int
    let logger: Logger

    public init(
        source: String, destination: S3Configuration, concurrency: Int = 4,
        logger: Logger = Logger(label: "hokusai.artifacts.migrate")
    ) {
        self.source = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        self.destination = destination
        self.concurrency = max(1, concurrency)
        self.logger = logger
    }

    public func run(progress report: @escaping @Sendable (Progress) -> Void) async throws -> Summary {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder), isFolder.boolValue else {
            throw ConfigurationError(description: "--from '\(source)' is not a folder")
        }
        let (files, skipped) = Self.artifactFiles(under: source)
        var progress = Progress(filesTotal: files.count, bytesTotal: files.reduce(0) { $0 + $1.size })
        report(progress)
        let client = S3Client(
            configuration: destination, credentials: try AWSCredentialsChain.provider(for: destination.environment),
            logger: logger)
        let store = S3ArtifactStore(client: client)
        var failures: [Failure] = []
        do {
            try await client.headBucket()
        } catch {
            await client.close()
            throw error
        }
        await withTaskGroup(of: (ArtifactFile, Outcome).self) { group in
            var next = files.makeIterator()
            func startNext() {
                guard let file = next.next() else { return }
                group.addTask { (file, await copy(file, with: store)) }
            }
            for _ in 0..<concurrency { startNext() }
            for await (file, outcome) in group {
                progress.filesDone += 1
                progress.bytesDone += file.size
                switch outcome {
                case .copied: progress.copied += 1
                case .alreadyThere: progress.alreadyThere += 1
                case .failed(let reason):
                    progress.failed += 1
                    failures.append(Failure(path: file.relativePath, reason: reason))
                }
                report(progress)
                startNext()
            }
        }
        await client.close()
        return Summary(progress: progress, failures: failures.sorted { $0.path < $1.path }, skipped: skipped)
    }

    struct ArtifactFile: Sendable {
        let relativePath: String
        let size: Int64
    }

    enum Outcome: Sendable {
        case copied, alreadyThere
        case failed(String)
    }

    /// Regular files below `root`, sorted; the staging folder, symlinks and paths the artifact API
    /// would refuse are left out and listed.
    static func artifactFiles(under root: String) -> ([ArtifactFile], [Failure]) {
        var files: [ArtifactFile] = []
        var skipped: [Failure] = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return ([], []) }
        while let relative = walker.nextObject() as? String {
            if relative == LocalArtifactStore.stagingFolderName {
                walker.skipDescendants()
                continue
            }
            guard let attributes = walker.fileAttributes, let type = attributes[.type] as? FileAttributeType else { continue }
            if type == .typeDirectory { continue }
            guard type == .typeRegular else {
                skipped.append(Failure(path: relative, reason: "not a regular file (\(type.rawValue))"))
                continue
            }
            guard (try? ArtifactPath.parse(decoded: relative)) != nil else {
                skipped.append(Failure(path: relative, reason: "not a name the artifact API accepts"))
                continue
            }
            files.append(ArtifactFile(relativePath: relative, size: (attributes[.size] as? NSNumber)?.int64Value ?? 0))
        }
        return (files.sorted { $0.relativePath < $1.relativePath }, skipped)
    }

    func copy(_ file: ArtifactFile, with store: S3ArtifactStore) async -> Outcome {
        let path = source + "/" + file.relativePath
        let key = destination.location.key(file.relativePath)
        do {
            let hash = try await Self.sha256(of: path)
            if let existing = try await store.client.headObject(key: key), existing.size == file.size,
                existing.metadata[Self.hashMetadata] == hash
            {
                return .alreadyThere
            }
            let sent = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                try await store.upload(
                    key: key, from: handle.readChunks(chunkLength: .mebibytes(1)), maximumBytes: .max,
                    metadata: [Self.hashMetadata: hash])
            }
            guard let stored = try await store.client.headObject(key: key), stored.size == sent, sent == file.size,
                stored.metadata[Self.hashMetadata] == hash
            else {
                return .failed("the object read back does not match the file (size or SHA-256); run again to retry it")
            }
            return .copied
        } catch {
            return .failed("\(error)")
        }
    }

    static func sha256(of path: String) async throws -> String {
        var hasher = SHA256()
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            for try await chunk in handle.readChunks(chunkLength: .mebibytes(1)) {
                hasher.update(data: chunk.readableBytesView)
            }
        }
        return Hex.lowercase(hasher.finalize())
    }
}
