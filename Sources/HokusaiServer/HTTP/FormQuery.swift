import Hummingbird

/// Query strings as HTML forms and Python's `requests` encode them: `+` is a space, `%XX` a byte,
/// repeated keys kept in order. (Hummingbird's `queryParameters` leaves `+` as it is, so the MLflow
/// client's `order_by=name+DESC` would read as one word.)
enum FormQuery {
    static func items(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
