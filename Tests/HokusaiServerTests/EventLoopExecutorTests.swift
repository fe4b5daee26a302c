import NIOCore
import NIOPosix
import Testing

@testable import HokusaiServer

/// Work given an event loop as its executor runs on that loop's thread, before and after it
/// waits: what `ConnectionOnEventLoop` relies on to keep a request on its connection's thread.
@Suite struct EventLoopExecutorTests {
    @Test func jobsRunOnTheLoopBeforeAndAfterWaiting() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let seen = try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: loop)) {
            var seen = [loop.inEventLoop]
            await Task.yield()
            seen.append(loop.inEventLoop)
            try await Task.sleep(for: .milliseconds(5))
            seen.append(loop.inEventLoop)
            // A child task inherits the preference.
            async let child = loop.inEventLoop
            seen.append(await child)
            return seen
        }
        #expect(seen == [true, true, true, true])
        #expect(!loop.inEventLoop)
    }
}
