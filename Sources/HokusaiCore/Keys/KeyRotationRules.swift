/// The rules for rotating a key: a new key with the same settings, the old one kept working
/// until `min(now + grace, its expiry)` so deployments can switch without downtime.
public enum KeyRotationRules {
    public static let defaultGraceSeconds = 86_400
    public static let graceRange = 0...(30 * 86_400)

    public struct Plan: Sendable, Equatable {
        /// When the old key stops working.
        public let oldKeyEndsAt: Int64
        /// The new key's expiry: the old key's lifetime, counted from now.
        public let newKeyExpiresAt: Int64?
    }

    /// `creatorEndsAt` is when the key that created `record` stops working, for a key in a chain:
    /// the replacement never outlives it either.
    public static func plan(for record: KeyRecord, graceSeconds: Int?, creatorEndsAt: Int64? = nil, now: Int64)
        -> Result<Plan, KeyRequestProblem>
    {
        let grace = graceSeconds ?? defaultGraceSeconds
        guard graceRange.contains(grace) else {
            return .failure(
                .invalidField(
                    field: "grace_seconds",
                    message: "grace_seconds must be between 0 and \(graceRange.upperBound) (30 days)"))
        }
        if record.isRevoked(at: now) {
            return .failure(.conflict(message: "API key \(record.maskedKey) is revoked and cannot be rotated"))
        }
        if record.isExpired(at: now) {
            return .failure(.conflict(message: "API key \(record.maskedKey) has expired and cannot be rotated"))
        }
        if record.replacedBy != nil {
            return .failure(.conflict(message: "API key \(record.maskedKey) was already rotated; rotate its replacement"))
        }
        var endsAt = now + Int64(grace) * 1000
        if let expiresAt = record.expiresAt { endsAt = min(endsAt, expiresAt) }
        let lifetime = record.expiresAt.map { $0 - record.createdAt }
        var newKeyExpiresAt = lifetime.map { now + $0 }
        if let creatorEndsAt { newKeyExpiresAt = min(newKeyExpiresAt ?? creatorEndsAt, creatorEndsAt) }
        return .success(Plan(oldKeyEndsAt: endsAt, newKeyExpiresAt: newKeyExpiresAt))
    }
}
