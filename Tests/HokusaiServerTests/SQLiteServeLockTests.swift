import Foundation
import Testing

@testable import HokusaiStore

/// One `serve` per SQLite file, and none on a network file system.
@Suite struct SQLiteServeLockTests {
    static func databasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("serve-lock-\(UUID().uuidString)/hokusai.sqlite").path
    }

    @Test func aSecondServerOnTheFileIsRefusedWithTheFirstOnesPid() throws {
        let path = Self.databasePath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        var first: SQLiteServeLock? = try SQLiteServeLock.acquire(databasePath: path)
        #expect(first != nil)
        let refusal = #expect(throws: StoreError.self) { _ = try SQLiteServeLock.acquire(databasePath: path) }
        let message = refusal.map { "\($0)" } ?? ""
        #expect(message.contains("already served by another hokusai serve (pid \(getpid()))"), "\(message)")
        #expect(message.contains("PostgreSQL"))
        first = nil  // the first server ends: its lock goes with it
        #expect(throws: Never.self) { _ = try SQLiteServeLock.acquire(databasePath: path) }
    }

    @Test func anotherFileIsNotAffected() throws {
        let one = try SQLiteServeLock.acquire(databasePath: Self.databasePath())
        let other = try SQLiteServeLock.acquire(databasePath: Self.databasePath())
        withExtendedLifetime((one, other)) {}
    }

    static let mounts = """
        /dev/sda1 / ext4 rw,relatime 0 0
        proc /proc proc rw 0 0
        nas:/export /mnt/shared nfs4 rw,vers=4.2 0 0
        //files/team /mnt/team\\040drive cifs rw 0 0
        /dev/sdb1 /mnt/shared/local ext4 rw 0 0
        """

    @Test(
        arguments: [
            ("/var/lib/hokusai", nil),
            ("/mnt/shared/hokusai", "NFS"),
            ("/mnt/shared", "NFS"),
            ("/mnt/sharedother/x", nil),
            ("/mnt/team drive/data", "CIFS"),
            ("/mnt/shared/local/data", nil),
        ] as [(String, String?)])
    func theMountHoldingTheFolderDecides(path: String, expected: String?) {
        #expect(NetworkFileSystem.name(of: path, mountTable: Self.mounts) == expected)
    }

    @Test func aFileOnANetworkFileSystemIsRefusedNamingIt() {
        let message = "\(StoreError.sqliteOnNetworkFileSystem(path: "/mnt/shared/hokusai.sqlite", fileSystem: "NFS"))"
        #expect(message.contains("/mnt/shared/hokusai.sqlite is on NFS") && message.contains("local disk"))
    }
}
