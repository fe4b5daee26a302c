/// NUL (U+0000) in request text. PostgreSQL cannot store it in a text column and refuses the
/// whole statement, so a value SQLite would keep becomes a 500 there. Every engine refuses it
/// up front instead, naming the field, before anything is written.
extension JSONAny {
    /// The path of the first string or object key that holds NUL (`params[3].value`), or nil.
    /// Keys are visited in sorted order so the same body always names the same field.
    public func pathOfNUL() -> String? {
        Self.pathOfNUL(in: self, at: "")
    }

    private static func pathOfNUL(in value: JSONAny, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.utf8.contains(0) ? (path.isEmpty ? "body" : path) : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = pathOfNUL(in: item, at: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let fields):
            for name in fields.keys.sorted() {
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                if name.utf8.contains(0) { return childPath.replacingNUL() }
                if let found = pathOfNUL(in: fields[name]!, at: childPath) { return found }
            }
            return nil
        case .null, .bool, .int, .double:
            return nil
        }
    }

    /// True when the raw JSON may hold an escaped NUL: the only way one can appear, since the
    /// parser refuses raw control characters. A cheap scan that spares the tree walk for almost
    /// every body; `\\u0000` (an escaped backslash) is a false alarm the walk then clears.
    public static func mayContainNUL<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        var matched = 0
        let pattern: [UInt8] = Array(#"\u0000"#.utf8)
        for byte in bytes {
            if byte == pattern[matched] {
                matched += 1
                if matched == pattern.count { return true }
            } else {
                matched = byte == pattern[0] ? 1 : 0
            }
        }
        return false
    }
}

extension String {
    /// A field name fit for a message: the NUL itself shown as `\u0000`.
    fileprivate func replacingNUL() -> String {
        String(unicodeScalars.flatMap { $0 == "\u{0}" ? Array(#"\u0000"#.unicodeScalars) : [$0] }.map(Character.init))
    }
}
