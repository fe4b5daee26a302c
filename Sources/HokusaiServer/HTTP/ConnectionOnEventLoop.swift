import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// An event loop as a task executor: jobs run on the loop's own thread, queued behind its I/O.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Handles each connection's requests on the thread of the event loop that reads and writes its
/// socket. On Swift's shared pool a request crossed threads twice (the loop hands the parsed
/// request over and takes the response back), each a wake-up of a sleeping thread: about 0.05 ms
/// of a 0.2 ms `/health` on two cores, and three context switches where one remains. The store's
/// statements run inline too (`SQLiteConnection`); what may take long (file I/O, checkpoints,
/// PostgreSQL, outgoing HTTP) already waits on its own threads without holding the loop.
///
/// Each connection also passes the `ConnectionGate` when it is accepted and gets a
/// `RequestHeadDeadline` for every request's head.
struct ConnectionOnEventLoop<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let gate: ConnectionGate
    let headTimeout: TimeAmount
    let metrics: AppMetrics

    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        if gate.admit(address: address) != nil {
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in
            if gate.release(address: address) { HeapTrim.soon() }
        }
        let metrics = self.metrics
        let deadline = RequestHeadDeadline(timeout: headTimeout) { metrics.recordHeadTimeout() }
        do {
            try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline.RawBytes(deadline), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // After the HTTP codec, where requests and responses are parts rather than bytes.
            let codec = try channel.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self)
            try channel.pipeline.syncOperations.addHandler(RequestHeadDeadline.Parts(deadline), position: .after(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, each connection handled on its own event loop (`ConnectionOnEventLoop`), admitted
    /// by `gate`, with `headTimeout` to send each request's head.
    static func http1OnEventLoops(
        idleTimeout: TimeAmount, headTimeout: TimeAmount, gate: ConnectionGate, metrics: AppMetrics
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ConnectionOnEventLoop(
                inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)), gate: gate,
                headTimeout: headTimeout, metrics: metrics)
        }
    }
}
