import Foundation

/// One thread of its own for one SQLite connection, usable as a task executor: a store call runs
/// its whole body here (`withTaskExecutorPreference`), so each statement is a plain function call
/// on the thread that owns the connection. Through a shared thread pool every statement was a
/// round trip between threads (two wake-ups, about 0.1 ms each on two cores), several per request.
///
/// Bodies are short and never wait for each other here: a body that suspends (a busy retry's
/// sleep) leaves the thread to the next job.
final class SQLiteThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var stopped = false
    /// Set once, before `init` returns, by the thread itself.
    private var threadId: pthread_t = pthread_t()

    init(name: String) {
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            threadId = pthread_self()
            started.signal()
            runJobs()
        }
        thread.name = name
        thread.start()
        started.wait()
    }

    /// Whether the caller is on this thread (and may use its connection directly).
    var isCurrent: Bool { pthread_equal(pthread_self(), threadId) != 0 }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopped {
            // The connection is closed: the job still has to run (its task would hang), and it will
            // find the connection closed wherever it runs.
            condition.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs the jobs already queued, then ends the thread; returns once it has ended.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func runJobs() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
