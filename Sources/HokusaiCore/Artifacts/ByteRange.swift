import Foundation

/// A `Range: bytes=…` request header (RFC 9110 §14), the one form downloads honour: a single
/// range, `first-last`, `first-` or `-suffixLength`. Anything else (several ranges, other units,
/// bad syntax) is not an error: the whole file is served, as the RFC allows.
public struct ByteRange: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        case from(first: Int64, last: Int64?)
        case suffix(length: Int64)
    }

    public let form: Form

    public init(_ form: Form) { self.form = form }

    public static func parse(_ header: String?) -> ByteRange? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes="), !trimmed.contains(",") else { return nil }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        func number(_ text: Substring) -> Int64? {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int64(text)  // nil past Int64.max: ignored
        }
        if first.isEmpty {
            guard let length = number(last) else { return nil }
            return ByteRange(.suffix(length: length))
        }
        guard let start = number(first) else { return nil }
        if last.isEmpty { return ByteRange(.from(first: start, last: nil)) }
        guard let end = number(last), end >= start else { return nil }
        return ByteRange(.from(first: start, last: end))
    }

    /// The bytes to send from a file of `size` bytes, or nil when none can be (416).
    public func resolve(size: Int64) -> ClosedRange<Int64>? {
        switch form {
        case .from(let first, let last):
            guard first < size else { return nil }
            return first...min(last ?? size - 1, size - 1)
        case .suffix(let length):
            guard length > 0, size > 0 else { return nil }
            return max(0, size - length)...(size - 1)
        }
    }

    /// The header as it is passed on (to S3).
    public var headerValue: String {
        switch form {
        case .from(let first, let last): "bytes=\(first)-\(last.map(String.init) ?? "")"
        case .suffix(let length): "bytes=-\(length)"
        }
    }
}
