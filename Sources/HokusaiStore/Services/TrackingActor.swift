import HokusaiCore

/// Who is changing tracking data: the user behind the key, and whether the key is an admin key.
/// A non-admin may change only what its user created; everything else is read-only to it.
public struct TrackingActor: Sendable {
    public let userId: String
    public let isAdmin: Bool

    public init(userId: String, isAdmin: Bool) {
        self.userId = userId
        self.isAdmin = isAdmin
    }

    public func mayChange(ownedBy owner: String?) -> Bool {
        isAdmin || (owner != nil && owner == userId)
    }

    public func requireOwnership(of what: String, ownedBy owner: String?) throws(MLflowError) {
        guard mayChange(ownedBy: owner) else {
            let whose = owner.map { "belongs to user '\($0)'" } ?? "is shared and can be changed only by admin keys"
            throw MLflowError(
                .permissionDenied,
                "\(what) \(whose); this key (user '\(userId)') may change only its own experiments, runs and models")
        }
    }
}
