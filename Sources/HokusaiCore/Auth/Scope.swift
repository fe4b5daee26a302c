/// What a key may do. `admin` includes `write`, which includes `read`.
public enum Scope: String, Sendable, Codable, CaseIterable, Comparable {
    case read
    case write
    case admin

    private var rank: Int {
        switch self {
        case .read: 0
        case .write: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }

    /// The reference system's scope names, accepted so its keys and scripts keep working.
    /// `full_access` maps to `write`, not `admin`: key management must be granted explicitly.
    public static let aliases: [String: Scope] = [
        "model:read": .read,
        "mlflow:read": .read,
        "model:write": .write,
        "mlflow:write": .write,
        "mlflow:access": .write,
        "full_access": .write,
        "mlflow:admin": .admin,
        "registry:admin": .admin,
        "model-registry:admin": .admin,
    ]

    /// The scope a name stands for, canonical or alias, case-insensitively.
    public init?(name: String) {
        let lowered = name.lowercased()
        if let scope = Scope(rawValue: lowered) {
            self = scope
        } else if let scope = Scope.aliases[lowered] {
            self = scope
        } else {
            return nil
        }
    }
}

/// A key's granted scopes, with the implication rule applied.
public struct ScopeSet: Sendable, Equatable {
    public let granted: Set<Scope>

    public init<S: Sequence>(_ scopes: S) where S.Element == Scope {
        self.granted = Set(scopes)
    }

    /// The highest scope granted, which implies every lower one.
    public var highest: Scope? { granted.max() }

    public func allows(_ required: Scope) -> Bool {
        guard let highest else { return false }
        return highest >= required
    }

    public var isAdmin: Bool { allows(.admin) }

    /// Canonical names, lowest first, for storage and display.
    public var names: [String] { granted.sorted().map(\.rawValue) }

    /// Parses stored or requested names; unknown names are reported, not dropped.
    public static func parse(_ names: [String]) -> Result<ScopeSet, UnknownScope> {
        var scopes = [Scope]()
        for name in names {
            guard let scope = Scope(name: name) else { return .failure(UnknownScope(name: name)) }
            scopes.append(scope)
        }
        return .success(ScopeSet(scopes))
    }

    public struct UnknownScope: Error, Equatable, Sendable {
        public let name: String
    }
}
