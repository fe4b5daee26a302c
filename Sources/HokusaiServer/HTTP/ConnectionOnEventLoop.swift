import HummingbirdCore
import Logging
import NIOCore

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
struct ConnectionOnEventLoop<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, each connection handled on its own event loop (`ConnectionOnEventLoop`).
    static func http1OnEventLoops(idleTimeout: TimeAmount) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            ConnectionOnEventLoop(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)))
        }
    }
}
