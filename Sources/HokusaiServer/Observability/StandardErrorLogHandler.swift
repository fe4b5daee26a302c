import HokusaiCore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Log lines on standard error in swift-log's `StreamLogHandler` format
/// (`2026-12-01T21:00:00+0000 info hokusai: key=value [source] message`), with a logger's metadata
/// kept as set and written out only when a line is. `StreamLogHandler` formats all of a logger's
/// metadata again each time one key is set, and every request sets three (its request id, its
/// key's id, Hummingbird's own id) whether or not a line is ever written: with the clock read
/// per line, that was 5% of an authenticated `get_run`'s CPU under load.
public struct StandardErrorLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { all.merge(provided) { $1 } }
        if let explicit = event.metadata, !explicit.isEmpty { all.merge(explicit) { $1 } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.line(
            timestamp: Self.clock.now(), level: event.level, label: label, metadata: all, source: event.source,
            message: event.message)
        // One write call per line, so lines from several threads never interleave.
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// One line, as `StreamLogHandler` writes it: metadata sorted by key, key-like text masked.
    static func line(
        timestamp: String, level: Logger.Level, label: String, metadata: Logger.Metadata, source: String,
        message: Logger.Message
    ) -> String {
        let pretty =
            metadata.isEmpty ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        // Lines carry client-written text (paths, ids in errors): a key typed there is masked.
        return KeyLikeTextMask.masking(
            "\(timestamp) \(level)\(label.isEmpty ? "" : " ")\(label):\(pretty) [\(source)] \(message)\n")
    }

    private static let clock = SecondClock()
}

/// The local time as `StreamLogHandler` prints it (`%Y-%m-%dT%H:%M:%S%z`), formatted once a second.
private final class SecondClock: Sendable {
    private let last = Mutex<(second: Int, text: String)>((-1, ""))

    func now() -> String {
        var seconds = time(nil)
        if let cached = last.withLock({ $0.second == seconds ? $0.text : nil }) { return cached }
        var local = tm()
        guard localtime_r(&seconds, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        last.withLock { $0 = (seconds, text) }
        return text
    }
}
