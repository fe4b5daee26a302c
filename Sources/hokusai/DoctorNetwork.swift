import Foundation
import HokusaiServer
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// The layers under HTTP, each timed on its own so a report can say "DNS", "nothing listening" or
/// "certificate not trusted" instead of a generic connection error.
enum DoctorNetwork {
    struct Step {
        var ok: Bool
        var detail: String
        var latencyMs: Double
        /// For a failed lookup: the resolver's own words.
        var reason = ""
    }

    /// Resolves `host` with the system resolver (what every client on this machine would use).
    static func resolve(_ host: String) -> (Step, [String]) {
        let start = ContinuousClock.now
        let answer = HostResolver.addresses(of: host)
        let elapsed = DoctorProbe.milliseconds(since: start)
        switch answer {
        case .failure(let failure):
            return (
                Step(
                    ok: false, detail: "\(host) does not resolve: \(failure.reason)", latencyMs: elapsed, reason: failure.reason),
                []
            )
        case .success(let addresses):
            return (Step(ok: true, detail: "\(host) → \(addresses.joined(separator: ", "))", latencyMs: elapsed), addresses)
        }
    }

    /// Opens a TCP connection (and with `tlsHost`, completes a TLS handshake trusting the
    /// system's roots) and closes it again.
    static func connect(address: String, port: Int, tlsHost: String?) async -> Step {
        let start = ContinuousClock.now
        let handshake = HandshakeWatcher()
        do {
            let context = try tlsHost.map { _ in try NIOSSLContext(configuration: .makeClientConfiguration()) }
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let context, let tlsHost else { return }
                        // SNI and name checks need a name; an address literal is checked against the certificate's IPs.
                        let isLiteral = tlsHost.contains(":") || tlsHost.allSatisfy { $0.isNumber || $0 == "." }
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: isLiteral ? nil : tlsHost))
                        try channel.pipeline.syncOperations.addHandler(handshake)
                    }
                }
                .connect(host: address, port: port).get()
            let connected = DoctorProbe.milliseconds(since: start)
            defer { channel.close(promise: nil) }
            guard tlsHost != nil else {
                return Step(ok: true, detail: "TCP connect to \(address):\(port)", latencyMs: connected)
            }
            try await handshake.completed(on: channel.eventLoop)
            return Step(
                ok: true, detail: "TLS handshake with \(address):\(port), certificate trusted",
                latencyMs: DoctorProbe.milliseconds(since: start))
        } catch {
            return Step(ok: false, detail: String(describing: error), latencyMs: DoctorProbe.milliseconds(since: start))
        }
    }

    /// Resolves when the TLS handshake completes; fails with the handshake's error.
    final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = Any
        private var promise: EventLoopPromise<Void>?
        private var outcome: Result<Void, any Error>?

        func completed(on loop: any EventLoop) async throws {
            try await loop.submit { () -> EventLoopFuture<Void> in
                if let outcome = self.outcome { return loop.makeCompletedFuture(outcome) }
                let promise = loop.makePromise(of: Void.self)
                self.promise = promise
                return promise.futureResult
            }.flatMap { $0 }.get()
        }

        private func finish(_ result: Result<Void, any Error>) {
            guard outcome == nil else { return }
            outcome = result
            promise?.completeWith(result)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSUserEvent.handshakeCompleted = event { finish(.success(())) }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(.failure(error))
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(.failure(ChannelError.eof))
            context.fireChannelInactive()
        }
    }
}
