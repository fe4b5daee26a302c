/// The JSON that ECS's container credentials endpoint and EC2's instance metadata service answer:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration": "2026-12-06T20:00:00Z"}` (IMDS adds
/// `"Code": "Success"`).
public enum TemporaryCredentials {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ bytes: some Collection<UInt8>) throws(Invalid) -> AWSCredentials {
        guard case .object(let fields)? = try? JSONParser.parse(bytes) else {
            throw Invalid(description: "the credentials answer is not a JSON object")
        }
        func text(_ name: String) -> String? {
            if case .string(let value)? = fields[name], !value.isEmpty { return value }
            return nil
        }
        if let code = text("Code"), code != "Success" {
            throw Invalid(description: "the metadata service answered Code=\(code)")
        }
        guard let id = text("AccessKeyId"), let secret = text("SecretAccessKey") else {
            throw Invalid(description: "the credentials answer has no AccessKeyId and SecretAccessKey")
        }
        var expiresAt: Int64?
        if let expiration = text("Expiration") {
            guard let millis = Timestamp.parseISO8601(expiration) else {
                throw Invalid(description: "the credentials' Expiration '\(expiration)' is not an ISO 8601 time")
            }
            expiresAt = millis / 1000
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: text("Token"), expiresAt: expiresAt)
    }

    /// Whether credentials should be fetched again: within `margin` seconds of their expiry
    /// (five minutes, as the AWS SDKs do), or past it. Long-lived keys never expire.
    public static func needsRefresh(_ credentials: AWSCredentials, now: Int64, margin: Int64 = 300) -> Bool {
        guard let expiresAt = credentials.expiresAt else { return false }
        return now >= expiresAt - margin
    }
}
