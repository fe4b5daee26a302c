import Foundation
import HokusaiCore
import HokusaiStore
import Logging
import Testing

/// The stores every store-dependent test runs on: SQLite always, PostgreSQL when
/// `HOKUSAI_TEST_POSTGRES_URL` names a server (the test script starts one). With
/// `HOKUSAI_REQUIRE_POSTGRES=1` a missing server fails the PostgreSQL cases instead of skipping them.
enum TestStoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["HOKUSAI_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var available: [TestStoreKind] {
        let required = ProcessInfo.processInfo.environment["HOKUSAI_REQUIRE_POSTGRES"] == "1"
        return postgresURL != nil || required ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// A fresh, empty store for one test: a new SQLite file, or a new PostgreSQL schema.
struct TestStore: Sendable {
    let kind: TestStoreKind
    let location: StoreLocation
    /// The SQLite file, for tests that inspect its bytes.
    let sqlitePath: String?
    /// A fresh artifact folder, removed with the store.
    let artifactsDirectory: String
    private let cleanupAction: @Sendable () async -> Void

    static func make(_ kind: TestStoreKind) async throws -> TestStore {
        let name = "t_" + RandomIdentifier.make(prefix: "", length: 12).lowercased()
        switch kind {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hokusai-tests/\(name)")
            let path = folder.appendingPathComponent("hokusai.sqlite").path
            return TestStore(kind: kind, location: .sqlite(path: path), sqlitePath: path) {
                try? FileManager.default.removeItem(at: folder)
            }
        case .postgres:
            guard let base = TestStoreKind.postgresURL else {
                throw TestStoreError("HOKUSAI_REQUIRE_POSTGRES=1 but HOKUSAI_TEST_POSTGRES_URL is not set")
            }
            let separator = base.contains("?") ? "&" : "?"
            let url = try PostgresURL(base + "\(separator)schema=\(name)&pool_size=4")
            return TestStore(kind: kind, location: .postgres(url), sqlitePath: nil) {
                guard let admin = try? await PostgresStoreDatabase.open(url: PostgresURL(base), logger: Logger(label: "test"))
                else { return }
                try? await admin.read { db in try await db.raw("DROP SCHEMA IF EXISTS \(ident: name) CASCADE").run() }
                await admin.close()
            }
        }
    }

    init(kind: TestStoreKind, location: StoreLocation, sqlitePath: String?, cleanup: @escaping @Sendable () async -> Void) {
        self.kind = kind
        self.location = location
        self.sqlitePath = sqlitePath
        // Nested one level down, so a test can watch the folder around the root (`Sentinel`).
        self.artifactsDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("hokusai-tests/artifacts-\(UUID().uuidString)/root").path
        self.cleanupAction = cleanup
    }

    func cleanup() async {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: artifactsDirectory).deletingLastPathComponent().path)
        await cleanupAction()
    }
}

struct TestStoreError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
