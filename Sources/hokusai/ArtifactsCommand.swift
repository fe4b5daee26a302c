import ArgumentParser
import Foundation
import HokusaiCore
import HokusaiServer

struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "Manage the artifact store.",
        subcommands: [MigrateArtifactsCommand.self])
}

/// `hokusai artifacts migrate`: copy a disk artifact store into S3 before switching a deployment
/// to `--artifacts-destination`. Runs and models keep their `mlflow-artifacts:` URIs, which name a
/// path inside the store, not the store; nothing in the database changes.
struct MigrateArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy every artifact from a local folder into an S3 bucket, verified and resumable.",
        discussion: """
            Safe to run while the server still serves from the folder and again after: files already in \
            the bucket with the same size and SHA-256 are skipped, changed or missing ones are copied, and \
            each copy is read back and compared. Exits non-zero when any file could not be copied.
            """)

    @Option(
        name: .customLong("from"),
        help: "The artifacts folder to copy (env HOKUSAI_ARTIFACTS_DIR; default <data-dir>/artifacts).")
    var source: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Data folder whose artifacts/ to copy when --from is not given (env HOKUSAI_DATA_DIR; default ./hokusai-data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("to"),
        help: "s3://BUCKET[/PREFIX], as given to serve --artifacts-destination (env HOKUSAI_ARTIFACTS_DESTINATION).")
    var destination: String?

    @Option(
        name: .customLong("s3-addressing-style"),
        help: "path, virtual or auto, as for serve (env HOKUSAI_S3_ADDRESSING_STYLE; default auto).")
    var s3AddressingStyle: String?

    @OptionGroup var logging: LoggingOptions

    @Option(help: "Files copied at once.")
    var concurrency: Int = 4

    func validate() throws {
        guard concurrency >= 1 && concurrency <= 64 else {
            throw ValidationError("--concurrency must be between 1 and 64, got \(concurrency)")
        }
    }

    func run() async throws {
        let folder =
            Setting.string(source, env: "HOKUSAI_ARTIFACTS_DIR")
            ?? (Setting.string(dataDirectory, env: "HOKUSAI_DATA_DIR") ?? "./hokusai-data") + "/artifacts"
        guard let target = Setting.string(destination, env: "HOKUSAI_ARTIFACTS_DESTINATION") else {
            throw ValidationError("--to s3://BUCKET[/PREFIX] is required (or HOKUSAI_ARTIFACTS_DESTINATION)")
        }
        let configuration: S3Configuration
        do {
            configuration = try S3Configuration.fromEnvironment(
                location: S3Location(parsing: target),
                addressingStyle: Setting.string(s3AddressingStyle, env: "HOKUSAI_S3_ADDRESSING_STYLE"))
        } catch {
            throw ValidationError("--to (HOKUSAI_ARTIFACTS_DESTINATION): \(error)")
        }
        let display = MigrationDisplay(interactive: isatty(STDERR_FILENO) == 1)
        // S3 failures are logged at warning level by the client; here the summary names them.
        var logger = try logging.makeLogger(label: "hokusai.artifacts.migrate")
        if logging.logLevel == nil && Setting.string(nil, env: "HOKUSAI_LOG_LEVEL") == nil { logger.logLevel = .error }
        let migration = ArtifactMigration(
            source: folder, destination: configuration, concurrency: concurrency, logger: logger)
        let summary: ArtifactMigration.Summary
        do {
            summary = try await migration.run { display.show($0) }
        } catch {
            display.finishLine()
            throw CommandFailure("artifacts migrate: \(error)")
        }
        display.finishLine()
        print(MigrationDisplay.summary(summary, from: folder, to: target))
        if !summary.failures.isEmpty {
            throw ExitCode.failure
        }
    }
}

/// Progress on stderr: one rewritten line on a terminal, a line every 100 files in a log.
final class MigrationDisplay: Sendable {
    let interactive: Bool

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ progress: ArtifactMigration.Progress) {
        let line = Self.progressLine(progress)
        if interactive {
            FileHandle.standardError.write(Data(("\r" + line).utf8))
        } else if progress.filesDone % 100 == 0 && progress.filesDone > 0 || progress.filesDone == progress.filesTotal {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finishLine() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func progressLine(_ progress: ArtifactMigration.Progress) -> String {
        "\(progress.filesDone)/\(progress.filesTotal) files, \(ByteCount.describe(progress.bytesDone))"
            + " of \(ByteCount.describe(progress.bytesTotal)) (copied \(progress.copied),"
            + " already there \(progress.alreadyThere), failed \(progress.failed))"
    }

    static func summary(_ summary: ArtifactMigration.Summary, from folder: String, to target: String) -> String {
        let progress = summary.progress
        var lines = [
            "\(folder) → \(target): \(progress.filesTotal) files, \(ByteCount.describe(progress.bytesTotal))",
            "  copied:        \(progress.copied)",
            "  already there: \(progress.alreadyThere)",
            "  failed:        \(progress.failed)",
            "  skipped:       \(summary.skipped.count)",
        ]
        for failure in summary.failures {
            lines.append("failed  \(failure.path): \(failure.reason)")
        }
        for skipped in summary.skipped {
            lines.append("skipped \(skipped.path): \(skipped.reason)")
        }
        if summary.failures.isEmpty {
            lines.append("Every artifact is in the bucket; start serve with --artifacts-destination \(target).")
        } else {
            lines.append("Run the same command again to retry the failed files; the others are skipped.")
        }
        return lines.joined(separator: "\n")
    }
}

enum ByteCount {
    /// 1536 → "1.5 KiB": binary units, one decimal, as `du -h` shows them.
    static func describe(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
