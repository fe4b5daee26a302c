import PostgresNIO
import Synchronization

extension PostgresConnection {
    /// Runs `body`, but answers as soon as this connection closes or the caller is cancelled,
    /// whether or not `body` has returned by then.
    ///
    /// Why: PostgresNIO's `listen` can miss the close of a connection killed while its `LISTEN`
    /// starts (vapor/postgres-nio#601) and then waits forever, deaf to cancellation too. The key
    /// change listener would never reconnect, and a shutdown waiting for it would never end.
    /// A `body` left behind this way finishes whenever PostgresNIO resumes it, if ever; it holds
    /// only this connection, which the caller closes.
    func untilClosed<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) async throws -> R {
        let work = Task { try await body() }
        let answer = FirstAnswer<R>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.wait(with: continuation)
                closeFuture.whenComplete { _ in answer.give(.failure(PostgresError.connectionClosed)) }
                Task { answer.give(await work.result) }
            }
        } onCancel: {
            work.cancel()
            answer.give(.failure(CancellationError()))
        }
    }
}

/// One continuation resumed by whichever of several racers answers first; the others are ignored.
/// An answer given before the continuation arrives is kept for it.
private final class FirstAnswer<R: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<R, any Error>)
        case answered(Result<R, any Error>)
        case done
    }

    private let state = Mutex(State.empty)

    func wait(with continuation: CheckedContinuation<R, any Error>) {
        let early: Result<R, any Error>? = state.withLock { state in
            if case .answered(let result) = state {
                state = .done
                return result
            }
            state = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func give(_ result: Result<R, any Error>) {
        let waiting: CheckedContinuation<R, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .answered(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .answered, .done:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
