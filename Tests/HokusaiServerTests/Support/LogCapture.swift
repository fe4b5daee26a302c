import Logging
import Synchronization

/// Collects every log line the application writes, at trace level, so tests can assert what
/// is (and is not) in the logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func logger(label: String = "hokusai-test") -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(capture: self, label: label) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

private struct CapturingHandler: LogHandler {
    let capture: LogCapture
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let rendered = all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
        capture.append("\(event.level) \(label) \(event.message) \(rendered) \(event.source) \(event.file):\(event.line)")
    }
}
