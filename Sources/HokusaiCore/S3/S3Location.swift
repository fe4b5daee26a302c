/// `s3://BUCKET[/PREFIX]`, as MLflow's `--artifacts-destination` takes it.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    /// The key prefix every artifact key starts with, without a trailing `/`; empty for the bucket's root.
    public let prefix: String

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Parses and checks the bucket name against S3's naming rules (3–63 characters of lowercase
    /// letters, digits, `.` and `-`, starting and ending with a letter or digit), so a typo fails at
    /// start with the rule named instead of as a signature or DNS error on the first upload.
    public init(parsing text: String) throws(Invalid) {
        guard text.hasPrefix("s3://") else {
            throw Invalid(description: "'\(text)' is not an S3 location: expected s3://BUCKET[/PREFIX]")
        }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true)
        guard (3...63).contains(bucket.utf8.count) else {
            throw Invalid(description: "S3 bucket name '\(bucket)' must be 3 to 63 characters long")
        }
        let allowed = bucket.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
        }
        guard allowed, bucket.first!.isLetterOrDigit, bucket.last!.isLetterOrDigit, !bucket.contains("..") else {
            throw Invalid(
                description:
                    "S3 bucket name '\(bucket)' may hold only lowercase letters, digits, '.' and '-', "
                    + "and must start and end with a letter or digit")
        }
        if let bad = prefix.first(where: { $0 == "." || $0 == ".." }) {
            throw Invalid(description: "S3 prefix of '\(text)' must not contain a '\(bad)' segment")
        }
        self.bucket = bucket
        self.prefix = prefix.joined(separator: "/")
    }

    /// The object key of a path relative to the prefix (`1/abc/artifacts/model.pkl`).
    public func key(_ relativePath: String) -> String {
        if prefix.isEmpty { return relativePath }
        return relativePath.isEmpty ? prefix : prefix + "/" + relativePath
    }

    /// The listing prefix of a folder: its key and a trailing `/` (empty for the bucket's root).
    public func folderPrefix(_ relativePath: String) -> String {
        let key = key(relativePath)
        return key.isEmpty ? "" : key + "/"
    }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLowercase || isNumber }
}
