/// An access key pair, with the session token of temporary credentials (ECS, instance roles).
public struct AWSCredentials: Sendable, Equatable {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working (epoch seconds); nil for long-lived keys.
    public let expiresAt: Int64?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiresAt: Int64? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiresAt = expiresAt
    }
}

/// Where a signature is valid: the region and service of the credential scope.
public struct SigningScope: Sendable, Equatable {
    public let region: String
    public let service: String

    public init(region: String, service: String = "s3") {
        self.region = region
        self.service = service
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key id only: a secret or token must never reach a log line or an error.
    public var description: String {
        "AWSCredentials(\(accessKeyId)\(sessionToken == nil ? "" : ", temporary"))"
    }
    public var debugDescription: String { description }
}
