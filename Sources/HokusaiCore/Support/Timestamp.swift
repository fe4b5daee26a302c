import Foundation

/// Epoch-millisecond helpers: the wire and storage format for every time in the system.
public enum Timestamp {
    public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// `2026-11-22T10:52:17Z` (or with milliseconds when they are not zero).
    public static func iso8601(_ millis: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: millis % 1000 != 0)
        return date.formatted(style)
    }

    /// Epoch milliseconds from an ISO 8601 time, with or without fractional seconds.
    public static func parseISO8601(_ text: String) -> Int64? {
        let date =
            (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        return date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
