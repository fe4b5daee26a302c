import HokusaiCore
import Hummingbird
import NIOCore

/// Where artifact bytes live. The MLflow artifact endpoints speak only to this protocol, so an
/// S3-compatible store can sit beside the local one. Paths are already checked (`ArtifactPath`);
/// a store still refuses what its own medium can smuggle in (symlinks on disk).
protocol ArtifactStore: Sendable {
    /// Stores `body` at `path`, replacing any file there. Readers see the old file or the whole
    /// new one, never part of it; a body that fails or passes `maximumBytes` leaves nothing behind.
    /// Returns the number of bytes stored.
    func write<Body: AsyncSequence & Sendable>(
        _ path: ArtifactPath, from body: Body, maximumBytes: Int64
    ) async throws -> Int64 where Body.Element == ByteBuffer

    /// The file at `path`, streamed, or the part `range` asks for; nil when there is none.
    /// A range that starts past the end throws `rangeNotSatisfiable`.
    func read(_ path: ArtifactPath, range: ByteRange?) async throws -> ArtifactDownload?

    /// The entries directly inside the folder `path`, sorted by name; empty when it does not exist.
    func list(_ path: ArtifactPath) async throws -> [ArtifactEntry]

    /// Deletes the file or folder (with everything in it) at `path`; nothing when it does not exist.
    func delete(_ path: ArtifactPath) async throws
}

struct ArtifactEntry: Sendable, Equatable {
    let name: String
    let isDirectory: Bool
    let size: Int64?
}

struct ArtifactDownload: Sendable {
    /// The bytes the body carries.
    let size: Int64
    let body: ResponseBody
    /// Set for a partial answer (206): the bytes sent and the file's whole size.
    var range: (bytes: ClosedRange<Int64>, of: Int64)? = nil
}

enum ArtifactStoreError: Error, Equatable {
    /// A path that leaves the root through something on the medium (a symlink).
    case invalidPath
    case isDirectory
    /// A folder stands where a file is to be written, or a file where a folder is needed.
    case conflictsWithExisting(String)
    case tooLarge(limit: Int64)
    /// A `Range` that starts at or past the end of a file of this size (416).
    case rangeNotSatisfiable(size: Int64)
}
