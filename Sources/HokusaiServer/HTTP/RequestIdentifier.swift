import HokusaiCore

/// Request ids. A client's `X-Request-ID` is echoed so it can correlate logs, but only when it is
/// short and plain (it is written to logs) and does not look like an API key.
enum RequestIdentifier {
    static let maximumLength = 128

    static func resolve(clientSupplied: String?) -> String {
        if let candidate = clientSupplied, isUsable(candidate) {
            return candidate
        }
        return RandomIdentifier.make(prefix: "req_")
    }

    static func isUsable(_ candidate: String) -> Bool {
        guard !candidate.isEmpty, candidate.utf8.count <= maximumLength else { return false }
        let plain = candidate.utf8.allSatisfy { byte in
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
                || byte == 45 || byte == 95 || byte == 46 || byte == 58
        }
        return plain && !APIKeyFormat.containsKeyLikeText(candidate)
    }
}
