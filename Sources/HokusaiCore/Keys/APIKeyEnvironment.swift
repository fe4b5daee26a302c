/// The environment a key belongs to, which is also visible in its prefix
/// (`hk_live_`, `hk_test_`, `hk_dev_`) so a human or a secret scanner can tell them apart.
public enum APIKeyEnvironment: String, Sendable, Codable, CaseIterable {
    case production
    case test
    case development

    /// The literal prefix every key of this environment starts with.
    public var keyPrefix: String {
        switch self {
        case .production: "hk_live_"
        case .test: "hk_test_"
        case .development: "hk_dev_"
        }
    }

    /// The environment whose prefix starts `key`, if any.
    public static func matching(key: Substring) -> APIKeyEnvironment? {
        allCases.first { key.hasPrefix($0.keyPrefix) }
    }
}
