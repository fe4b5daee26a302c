import NIOCore
import NIOHTTPTypes

/// A request's head (request line and headers) must arrive whole within `timeout` of its first
/// byte: a client that trickles a header a byte at a time (slowloris) would otherwise hold its
/// connection for as long as the idle timeout allows after every byte. Past the deadline the
/// client gets a 408 and the connection closes. A connection that sends nothing (before its first
/// request, or between keep-alive requests) is governed by the idle timeout alone, and what one
/// address can hold that way by `ConnectionGate`.
///
/// Two handlers share one state: `RawBytes` sits next to the socket and sees a request's first
/// byte; `Parts` sits after the HTTP codec and sees the head arrive and the response end.
final class RequestHeadDeadline {
    enum Phase {
        /// A response was sent; the next request has not started.
        case betweenRequests
        /// Bytes of a head have arrived; the deadline runs.
        case awaitingHead(Scheduled<Void>)
        /// The head arrived; the request is being read or answered.
        case inRequest
    }

    let timeout: TimeAmount
    let onTimeout: @Sendable () -> Void
    private var phase = Phase.betweenRequests

    init(timeout: TimeAmount, onTimeout: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onTimeout = onTimeout
    }

    /// Starts the clock for a head, once.
    func headStarted(context: ChannelHandlerContext) {
        guard case .betweenRequests = phase else { return }
        let loopBound = NIOLoopBound((context: context, deadline: self), eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: timeout) {
            let (context, deadline) = loopBound.value
            guard case .awaitingHead = deadline.phase else { return }
            deadline.onTimeout()
            let answer = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: answer))).whenComplete { _ in
                context.close(promise: nil)
            }
        }
        phase = .awaitingHead(timer)
    }

    func headArrived() {
        if case .awaitingHead(let timer) = phase { timer.cancel() }
        phase = .inRequest
    }

    func responseEnded() {
        if case .awaitingHead(let timer) = phase { timer.cancel() }
        phase = .betweenRequests
    }

    /// Next to the socket: any byte while no request is under way starts a head.
    final class RawBytes: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = ByteBuffer
        let deadline: RequestHeadDeadline

        init(_ deadline: RequestHeadDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            deadline.headStarted(context: context)
            context.fireChannelRead(data)
        }

        func channelInactive(context: ChannelHandlerContext) {
            deadline.responseEnded()
            context.fireChannelInactive()
        }
    }

    /// After the HTTP codec: the head arriving stops the clock; the response's end readies it
    /// for the next request.
    final class Parts: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        let deadline: RequestHeadDeadline

        init(_ deadline: RequestHeadDeadline) { self.deadline = deadline }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .head = unwrapInboundIn(data) { deadline.headArrived() }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .end = unwrapOutboundIn(data) { deadline.responseEnded() }
            context.write(data, promise: promise)
        }
    }
}
