import Foundation
import HokusaiCore
import HokusaiServer
import NIOCore
import Testing

/// `hokusai artifacts migrate` below the CLI: a disk store copied into a bucket on moto's server,
/// same keys as the S3 store would write, resumable, verified, and honest about what it left out.
@Suite(.enabled(if: ArtifactMedium.available.contains(.s3)))
struct ArtifactMigrationTests {
    /// A disk store with a small file, a multipart-sized file, a staging leftover and a symlink.
    static func makeStore() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("migrate-" + UUID().uuidString).path
        let run = root + "/1/abc/artifacts"
        try FileManager.default.createDirectory(atPath: run + "/model", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/.hokusai-uploads", withIntermediateDirectories: true)
        try Data("flavors: {}\n".utf8).write(to: URL(fileURLWithPath: run + "/model/MLmodel"))
        try Data(S3ArtifactStoreTests.bytes(6 << 20).readableBytesView).write(to: URL(fileURLWithPath: run + "/weights.bin"))
        try Data("half an upload".utf8).write(to: URL(fileURLWithPath: root + "/.hokusai-uploads/stale"))
        try FileManager.default.createSymbolicLink(atPath: run + "/passwd", withDestinationPath: "/etc/passwd")
        return root
    }

    func migrate(_ root: String, into bucket: TestBucket) async throws -> ArtifactMigration.Summary {
        let seen = ProgressLog()
        let summary = try await ArtifactMigration(source: root, destination: try bucket.configuration()).run {
            seen.append($0)
        }
        #expect(seen.last == summary.progress, "the last progress report is the summary's")
        return summary
    }

    @Test func everyArtifactLandsUnderThePrefixAndStagingAndSymlinksStayBehind() async throws {
        let root = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try await TestBucket.make()
        let summary = try await migrate(root, into: bucket)
        #expect(summary.progress.copied == 2 && summary.progress.failed == 0 && summary.failures.isEmpty)
        #expect(summary.skipped.map(\.path) == ["1/abc/artifacts/passwd"])
        let objects = try await bucket.objects()
        #expect(
            objects == [
                "team/mlflow/1/abc/artifacts/model/MLmodel": 12, "team/mlflow/1/abc/artifacts/weights.bin": 6 << 20,
            ], "\(objects)")
        let back = try await bucket.read("team/mlflow/1/abc/artifacts/weights.bin")
        #expect(back == S3ArtifactStoreTests.bytes(6 << 20), "the multipart copy is byte for byte the file")
        #expect(try await bucket.openMultipartUploads() == 0)
    }

    @Test func aSecondRunCopiesOnlyWhatChanged() async throws {
        let root = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try await TestBucket.make()
        _ = try await migrate(root, into: bucket)
        let again = try await migrate(root, into: bucket)
        #expect(again.progress.copied == 0 && again.progress.alreadyThere == 2)

        // Same size, other bytes: only the hash can tell, and it does.
        try Data("flavors: []\n".utf8).write(to: URL(fileURLWithPath: root + "/1/abc/artifacts/model/MLmodel"))
        let changed = try await migrate(root, into: bucket)
        #expect(changed.progress.copied == 1 && changed.progress.alreadyThere == 1)
        let back = try await bucket.read("team/mlflow/1/abc/artifacts/model/MLmodel")
        #expect(back.map { String(buffer: $0) } == "flavors: []\n")
    }

    @Test func anObjectPutThereByAnotherToolIsReplacedNotTrusted() async throws {
        let root = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try await TestBucket.make()
        try await bucket.put("team/mlflow/1/abc/artifacts/model/MLmodel", "flavors: XX\n")  // same size, no hash
        let summary = try await migrate(root, into: bucket)
        #expect(summary.progress.copied == 2 && summary.progress.alreadyThere == 0)
        let back = try await bucket.read("team/mlflow/1/abc/artifacts/model/MLmodel")
        #expect(back.map { String(buffer: $0) } == "flavors: {}\n")
    }

    @Test func aMissingBucketStopsItBeforeAnyFileNamingTheBucket() async throws {
        let root = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bucket = try await TestBucket.make()
        var configuration = try bucket.configuration()
        configuration.location = try S3Location(parsing: "s3://no-such-bucket-\(bucket.name)/x")
        let error = await #expect(throws: (any Error).self) {
            _ = try await ArtifactMigration(source: root, destination: configuration).run { _ in }
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("no-such-bucket-\(bucket.name)"), "\(String(describing: error))")
    }

    @Test func aSourceThatIsNotAFolderIsRefusedByName() async throws {
        let bucket = try await TestBucket.make()
        let error = await #expect(throws: ConfigurationError.self) {
            _ = try await ArtifactMigration(source: "/nonexistent/artifacts", destination: try bucket.configuration()).run { _ in
            }
        }
        #expect(error?.description.contains("/nonexistent/artifacts") == true)
    }
}

/// Progress reports collected from the migration's callback.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [ArtifactMigration.Progress] = []

    func append(_ progress: ArtifactMigration.Progress) { lock.withLock { reports.append(progress) } }
    var last: ArtifactMigration.Progress? { lock.withLock { reports.last } }
}
