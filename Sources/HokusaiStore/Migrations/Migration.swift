/// One schema change. Migrations are append-only: once released, a migration is never edited;
/// a later one changes what an earlier one made.
public struct Migration: Sendable {
    public let id: Int
    public let name: String
    /// The statements, in order. Most are the same on both engines; the kind is there for the few that are not.
    public let statements: @Sendable (DatabaseKind) -> [String]

    public init(id: Int, name: String, statements: @escaping @Sendable (DatabaseKind) -> [String]) {
        self.id = id
        self.name = name
        self.statements = statements
    }
}

/// Every migration, in the order they apply.
public enum Migrations {
    public static let all: [Migration] = [
        M001_APIKeysAndAudit.migration,
        M002_Tracking.migration,
        M003_LoggedModelsAndInputs.migration,
        M004_ModelRegistry.migration,
        M005_RegistrationEvents.migration,
        M006_SearchIndexes.migration,
        M007_MetricHistoryWithoutRowid.migration,
        M008_RunDataWithoutRowid.migration,
        M009_KeyChains.migration,
        M010_KeyChangeNotifications.migration,
        M011_SharedRateCounts.migration,
        M012_BrowserSessions.migration,
    ]

    public static var latestId: Int { all.last?.id ?? 0 }
}
