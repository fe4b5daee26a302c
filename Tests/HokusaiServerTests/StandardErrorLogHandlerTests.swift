import HokusaiCore
import Logging
import Synchronization
import Testing

@testable import HokusaiServer

/// Our standard-error handler writes exactly the lines swift-log's `StreamLogHandler` wrote (logs
/// are read by people and by tools that knew that format), whatever metadata a logger carries.
@Suite struct StandardErrorLogHandlerTests {
    @Test func linesMatchStreamLogHandlersFormat() {
        let stream = CapturedStream()
        var reference = Logger(label: "hokusai") { StreamLogHandler(label: $0, stream: stream, metadataProvider: nil) }
        reference[metadataKey: "request_id"] = "req_1"
        reference[metadataKey: "key_id"] = "key_2"
        reference.info("request", metadata: ["status": "200", "ms": "0.31"], source: "HokusaiServer")
        let expected = try! #require(stream.lines.first)
        let timestamp = String(expected.prefix { $0 != " " })
        let ours = StandardErrorLogHandler.line(
            timestamp: timestamp, level: .info, label: "hokusai",
            metadata: ["request_id": "req_1", "key_id": "key_2", "status": "200", "ms": "0.31"], source: "HokusaiServer",
            message: "request")
        #expect(ours == expected)
        #expect(
            StandardErrorLogHandler.line(timestamp: "t", level: .error, label: "", metadata: [:], source: "s", message: "m")
                == "t error: [s] m\n")
    }

    @Test func keyLikeTextInALineIsMasked() {
        let key = APIKeyFormat.generate(environment: .production)
        let line = StandardErrorLogHandler.line(
            timestamp: "t", level: .error, label: "", metadata: ["path": "/x/\(key)"], source: "s", message: "no \(key)")
        #expect(line == "t error: path=/x/\(APIKeyFormat.mask(key)) [s] no \(APIKeyFormat.mask(key))\n")
    }

    @Test func eachLoggerCopyKeepsItsOwnMetadata() {
        var first = Logger(label: "x") { StandardErrorLogHandler(label: $0, metadataProvider: nil) }
        first[metadataKey: "request_id"] = "a"
        var second = first
        second[metadataKey: "request_id"] = "b"
        #expect(first[metadataKey: "request_id"] == "a" && second[metadataKey: "request_id"] == "b")
    }
}

private final class CapturedStream: TextOutputStream, Sendable {
    private let written = Mutex<[String]>([])
    var lines: [String] { written.withLock { $0 } }
    func write(_ string: String) { written.withLock { $0.append(string) } }
}
