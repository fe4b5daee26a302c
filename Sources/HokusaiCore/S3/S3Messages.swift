/// The XML S3 sends and receives for the calls the artifact store makes, read and written as
/// pure functions so each is tested on S3's documented examples.
public enum S3Messages {
    /// One page of `ListObjectsV2`.
    public struct ListPage: Sendable, Equatable {
        public struct Object: Sendable, Equatable {
            public let key: String
            public let size: Int64

            public init(key: String, size: Int64) {
                self.key = key
                self.size = size
            }
        }
        public var objects: [Object]
        /// Folder prefixes (with their trailing delimiter) when listed with one.
        public var commonPrefixes: [String]
        /// Set when more keys follow: the next page's `continuation-token`.
        public var nextContinuationToken: String?
    }

    /// An S3 error answer: `<Error><Code>NoSuchBucket</Code><Message>…</Message>…</Error>`.
    public struct ErrorBody: Sendable, Equatable {
        public let code: String
        public let message: String?
        /// The bucket's region, when S3 says where it is (a 301 or an `AuthorizationHeaderMalformed`).
        public let region: String?

        public init(code: String, message: String?, region: String?) {
            self.code = code
            self.message = message
            self.region = region
        }
    }

    public static func listPage(_ xml: some Collection<UInt8>) throws(XMLElement.SyntaxError) -> ListPage {
        let root = try XMLElement.parse(xml)
        guard root.name == "ListBucketResult" else {
            throw XMLElement.SyntaxError(description: "expected <ListBucketResult>, got <\(root.name)>")
        }
        let objects = root.children("Contents").compactMap { entry -> ListPage.Object? in
            guard let key = entry["Key"], let size = entry["Size"].flatMap({ Int64($0) }) else { return nil }
            return ListPage.Object(key: key, size: size)
        }
        let prefixes = root.children("CommonPrefixes").compactMap { $0["Prefix"] }
        let truncated = root["IsTruncated"] == "true"
        let token = root["NextContinuationToken"].flatMap { $0.isEmpty ? nil : $0 }
        return ListPage(objects: objects, commonPrefixes: prefixes, nextContinuationToken: truncated ? token : nil)
    }

    /// The error in an S3 answer's body, or nil when the body is not one (a HEAD has no body).
    public static func errorBody(_ xml: some Collection<UInt8>) -> ErrorBody? {
        guard let root = try? XMLElement.parse(xml), root.name == "Error", let code = root["Code"] else { return nil }
        return ErrorBody(code: code, message: root["Message"], region: root["Region"])
    }

    /// `CreateMultipartUpload`'s upload id.
    public static func uploadId(_ xml: some Collection<UInt8>) throws(XMLElement.SyntaxError) -> String {
        let root = try XMLElement.parse(xml)
        guard root.name == "InitiateMultipartUploadResult", let id = root["UploadId"], !id.isEmpty else {
            throw XMLElement.SyntaxError(description: "no UploadId in <\(root.name)>")
        }
        return id
    }

    /// The body of `CompleteMultipartUpload`: every part's number and ETag, in order.
    public static func completeMultipartUpload(parts: [(number: Int, etag: String)]) -> String {
        var body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts {
            body += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(escape(part.etag))</ETag></Part>"
        }
        return body + "</CompleteMultipartUpload>"
    }

    /// S3 answers `CompleteMultipartUpload` with 200 and an `<Error>` body when it fails late.
    public static func completionFailed(_ xml: some Collection<UInt8>) -> ErrorBody? { errorBody(xml) }

    /// The body of `DeleteObjects` (at most 1,000 keys), quiet: only failures are answered.
    public static func deleteObjects(keys: [String]) -> String {
        var body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { body += "<Object><Key>\(escape(key))</Key></Object>" }
        return body + "</Delete>"
    }

    /// The keys `DeleteObjects` failed to delete, with S3's code for each.
    public static func deleteFailures(_ xml: some Collection<UInt8>) throws(XMLElement.SyntaxError) -> [(
        key: String, code: String
    )] {
        let root = try XMLElement.parse(xml)
        return root.children("Error").map { ($0["Key"] ?? "", $0["Code"] ?? "") }
    }

    /// Text escaped for an XML element.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
