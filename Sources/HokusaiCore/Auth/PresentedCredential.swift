import Foundation

/// Finds the API key in a request's headers. Accepted placements, first match wins:
/// `Authorization: Bearer <key>` (scheme case-insensitive), `Authorization: ApiKey <key>`,
/// `Authorization: Basic base64(user:key)` (what the MLflow client sends when a username and
/// password are configured; the key is the password, or the username when the password is empty),
/// and `X-API-Key: <key>`.
public enum PresentedCredential {
    public enum Placement: String, Sendable {
        case bearer, apiKey, basic, xAPIKey, body
    }

    public struct Found: Sendable, Equatable {
        public let key: String
        public let placement: Placement

        public init(key: String, placement: Placement) {
            self.key = key
            self.placement = placement
        }
    }

    /// Query parameter names that mean someone put a key in the URL.
    public static let queryParameterNames: Set<String> = ["api_key", "apikey", "api-key", "access_token"]

    public static func extract(
        authorization: String?,
        xAPIKey: String?
    ) -> Result<Found?, KeyRejection> {
        if let authorization, !authorization.trimmingSpacesAndTabs().isEmpty {
            return parseAuthorization(authorization).map { Optional($0) }
        }
        if let xAPIKey {
            let key = String(xAPIKey.trimmingSpacesAndTabs())
            if !key.isEmpty { return .success(Found(key: key, placement: .xAPIKey)) }
        }
        return .success(nil)
    }

    static func parseAuthorization(_ header: String) -> Result<Found, KeyRejection> {
        let trimmed = header.trimmingSpacesAndTabs()
        guard let space = trimmed.firstIndex(of: " ") else {
            return .failure(malformed("Authorization header must be 'Bearer <key>', 'ApiKey <key>' or 'Basic <credentials>'"))
        }
        let scheme = trimmed[..<space].lowercased()
        let value = String(trimmed[space...].trimmingSpacesAndTabs())
        guard !value.isEmpty else {
            return .failure(malformed("Authorization header has the scheme '\(trimmed[..<space])' but no credential"))
        }
        switch scheme {
        case "bearer":
            return .success(Found(key: value, placement: .bearer))
        case "apikey":
            return .success(Found(key: value, placement: .apiKey))
        case "basic":
            return parseBasic(value)
        default:
            let shown = trimmed[..<space].prefix(20)
            return .failure(malformed("Authorization scheme '\(shown)' is not supported; use Bearer, ApiKey or Basic"))
        }
    }

    static func parseBasic(_ encoded: String) -> Result<Found, KeyRejection> {
        guard let data = Data(base64Encoded: encoded), let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else {
            return .failure(malformed("Basic credentials must be base64 of 'username:api_key'"))
        }
        let username = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        let key = password.isEmpty ? username : password
        guard !key.isEmpty else {
            return .failure(malformed("Basic credentials carry no API key: put the key in the password"))
        }
        return .success(Found(key: key, placement: .basic))
    }

    private static func malformed(_ message: String) -> KeyRejection {
        KeyRejection(code: .malformed, message: message)
    }
}
