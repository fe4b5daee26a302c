import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The SQLite store is for one server process. `serve` holds an exclusive `flock` on
/// `<file>.serve-lock` for its whole life, so a second `serve` on the same file — a replica
/// started by mistake, a container restarted beside its old self — stops with the first one's
/// pid instead of running beside it: two servers would each serialise writes in their own
/// memory, keep their own key cache and rate counts, and each believe it holds the only copy.
/// The CLI (`keys`, `migrate`, `events`) does not take the lock: SQLite's own locking makes its
/// short transactions safe beside a running server on a local disk.
///
/// The lock is released by the kernel when the process ends, however it ends, so a crash
/// leaves nothing to clean up.
public final class SQLiteServeLock: Sendable {
    let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    /// Takes the lock for the SQLite file at `databasePath`, or says who holds it. Also refuses a
    /// file on a network file system, where SQLite's locks and write-ahead log do not work and
    /// two machines would corrupt it.
    public static func acquire(databasePath: String) throws -> SQLiteServeLock {
        let folder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let network = NetworkFileSystem.name(ofFolder: folder) {
            throw StoreError.sqliteOnNetworkFileSystem(path: databasePath, fileSystem: network)
        }
        let lockPath = databasePath + ".serve-lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.cannotConnect(target: lockPath, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw StoreError.sqliteInUse(path: databasePath, holderPid: holder.flatMap { Int32($0) })
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        return SQLiteServeLock(descriptor: descriptor)
    }
}

/// File systems on which SQLite must not be shared, found from the mount table (`/proc/mounts`):
/// the type of the longest mount point that contains the folder.
enum NetworkFileSystem {
    static let types: [String: String] = [
        "nfs": "NFS", "nfs4": "NFS", "cifs": "CIFS", "smb3": "SMB", "smbfs": "SMB", "9p": "9P", "ceph": "CephFS",
        "afs": "AFS", "lustre": "Lustre", "gpfs": "GPFS", "glusterfs": "GlusterFS", "fuse.sshfs": "SSHFS",
        "fuse.glusterfs": "GlusterFS", "fuse.s3fs": "s3fs", "fuse.gcsfuse": "gcsfuse",
    ]

    static func name(ofFolder folder: String) -> String? {
        guard let table = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return nil }
        let resolved = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        return name(of: resolved, mountTable: table)
    }

    /// Pure, for tests: `mountTable` in `/proc/mounts` form (device, mount point, type, …; spaces
    /// in a mount point written `\040`).
    static func name(of path: String, mountTable: String) -> String? {
        var best: (length: Int, type: String)?
        for line in mountTable.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            let contains = point == "/" || path == point || path.hasPrefix(point + "/")
            if contains && point.count >= (best?.length ?? -1) { best = (point.count, String(fields[2])) }
        }
        return best.flatMap { types[$0.type] }
    }
}
