import NIOPosix
import Synchronization

/// Copies the write-ahead log back into the database file off the request path. SQLite would do
/// it inside the commit that takes the log past 1,000 pages, and a checkpoint writes and fsyncs
/// the file: milliseconds on the thread that made the commit, which here is a thread serving
/// requests. Here the same PASSIVE checkpoint runs on NIO's blocking-work pool, holding the
/// store's write lock as SQLite's own does (writers wait for it asynchronously): with no commit
/// landing meanwhile it catches up with the log, so the next write starts the log again from the
/// top instead of letting it grow.
final class SQLiteCheckpointer: Sendable {
    /// SQLite's own default for `wal_autocheckpoint`.
    static let pagesBeforeCheckpoint: Int32 = 1000

    private let writer: SQLiteConnection
    private let writeLock: AsyncLock
    private let scheduled = Atomic(false)

    init(writer: SQLiteConnection, writeLock: AsyncLock) {
        self.writer = writer
        self.writeLock = writeLock
    }

    /// Called by the writer connection after each commit (SQLite's WAL hook) with the log's size.
    func logGrew(toPages pages: Int32) {
        guard pages >= Self.pagesBeforeCheckpoint,
            !scheduled.exchange(true, ordering: .acquiringAndReleasing)
        else { return }
        Task { await checkpoint() }
    }

    /// One PASSIVE checkpoint on the writer connection, between two write transactions.
    func checkpoint() async {
        defer { scheduled.store(false, ordering: .releasing) }
        // Busy (another process checkpointing), or the store closed meanwhile: the next commit
        // past the mark asks again.
        try? await writeLock.withLock {
            try await NIOThreadPool.singleton.runIfActive { [writer] in
                _ = try writer.run { try $0.query("PRAGMA wal_checkpoint(PASSIVE)", []) }
            }
        }
    }
}
