/// One entry of the key audit log. Never holds a key, only ids, codes and masked forms.
public struct AuditEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case keyCreated = "key.created"
        case keyRotated = "key.rotated"
        case keyRevoked = "key.revoked"
        case authFailed = "auth.failed"
    }

    public var id: String
    public var occurredAt: Int64
    public var kind: Kind
    /// The key the event is about (the created, rotated or revoked key; the presented key on failure, if known).
    public var keyId: String?
    /// The key that did it, for key management events.
    public var actorKeyId: String?
    public var userId: String?
    /// The validation code, for `auth.failed`.
    public var code: String?
    public var clientIP: String?
    public var requestId: String?
    public var detail: String?

    public init(
        id: String = RandomIdentifier.make(prefix: "evt_"), occurredAt: Int64, kind: Kind, keyId: String? = nil,
        actorKeyId: String? = nil, userId: String? = nil, code: String? = nil, clientIP: String? = nil,
        requestId: String? = nil, detail: String? = nil
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.kind = kind
        self.keyId = keyId
        self.actorKeyId = actorKeyId
        self.userId = userId
        self.code = code
        self.clientIP = clientIP
        self.requestId = requestId
        self.detail = detail
    }
}
