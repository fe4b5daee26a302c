import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// One client cannot hold every connection, nor hold one forever with a head sent a byte at a time.
@Suite struct ConnectionLimitTests {
    @Test func connectionsPastTheLimitFromOneAddressAreClosedCountedAndLogged() async throws {
        let logs = LogCapture()
        try await TestApp.run(.sqlite, mode: .live, configure: { $0.maximumConnectionsPerAddress = 3 }, logs: logs) {
            client, _ in
            let port = try #require(client.port)
            // The test client's own keep-alive connection holds one of the three.
            #expect(try await client.execute(uri: "/health", method: .get) { $0.status } == .ok)
            // Five more idle connections from the same address: two fit, three are closed at accept.
            let sockets = try (0..<5).map { _ in try RawSocket(port: port, timeoutSeconds: 1) }
            var refused: [RawSocket] = []
            for socket in sockets {
                let outcome = await socket.readUntilClosed()
                if outcome.closed && outcome.text.isEmpty { refused.append(socket) }
            }
            #expect(refused.count == 3, "\(refused.count) of 5 refused")
            // Free the slots to read the metrics over HTTP.
            sockets.forEach { $0.close() }
            try await Task.sleep(for: .milliseconds(200))
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(
                metrics.contains(#"hokusai_connections_refused_total{limit="per_address"} \#(refused.count)"#), "\(metrics)")
            #expect(metrics.contains("hokusai_connections_open"))
        }
        #expect(logs.text.contains("connection refused") && logs.text.contains("limit=per_address"))
    }

    @Test func aHeadSentTooSlowlyGets408AndTheConnectionCloses() async throws {
        try await TestApp.run(.sqlite, mode: .live, configure: { $0.requestHeadTimeoutSeconds = 1 }) { client, _ in
            let port = try #require(client.port)
            let slow = try RawSocket(port: port, timeoutSeconds: 5)
            slow.send("GET /health HTTP/1.1\r\nHost: test\r\n")
            let outcome = await slow.readUntilClosed()
            // Only the server's head deadline answers 408, and `closed` is true only when the server closed the
            // socket (the socket's own 5 s timeout reports false), so no clock is needed to tell them apart.
            #expect(outcome.text.hasPrefix("HTTP/1.1 408"), "\(outcome.text)")
            #expect(outcome.closed)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains("hokusai_request_head_timeouts_total 1"), "\(metrics)")
        }
    }

    @Test func aKeepAliveConnectionIdleBetweenRequestsIsNotCutByTheHeadDeadline() async throws {
        try await TestApp.run(.sqlite, mode: .live, configure: { $0.requestHeadTimeoutSeconds = 1 }) { client, _ in
            let port = try #require(client.port)
            let connection = try RawSocket(port: port, timeoutSeconds: 5)
            connection.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(await connection.read(until: "}").hasPrefix("HTTP/1.1 200"))
            try await Task.sleep(for: .milliseconds(1_500))
            connection.send("GET /live HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(await connection.read(until: "}").hasPrefix("HTTP/1.1 200"))
        }
    }
}
