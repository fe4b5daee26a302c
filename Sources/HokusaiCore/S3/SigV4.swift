import Crypto

/// AWS Signature Version 4, as S3 checks it: pure functions from a request to its
/// `Authorization` header (or a presigned URL's query), with every intermediate step exposed so
/// tests can compare each against AWS's published examples.
///
/// S3 rules, which differ from other services': the path is URI-encoded once and never
/// normalized (`a//b` and `a/./b` are distinct keys), and `x-amz-content-sha256` is signed.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash of a body that is not hashed (streamed uploads over TLS, presigned URLs).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// A request as it will be sent. `path` is the object path unencoded (`/bucket/a b.txt`);
    /// `query` holds unencoded names and values; header names in any case.
    public struct Request: Sendable, Equatable {
        public var method: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        /// Hex SHA-256 of the body, or `unsignedPayload`.
        public var payloadHash: String

        public init(
            method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
            payloadHash: String = SigV4.emptyPayloadHash
        ) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }

        public static func == (lhs: Request, rhs: Request) -> Bool {
            lhs.method == rhs.method && lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query, by: ==)
                && lhs.headers.elementsEqual(rhs.headers, by: ==) && lhs.payloadHash == rhs.payloadHash
        }
    }

    /// What signing adds to a request's headers.
    public struct Signature: Sendable, Equatable {
        public let authorization: String
        public let signature: String
        public let signedHeaders: String
    }

    // MARK: The steps

    /// `yyyyMMdd'T'HHmmss'Z'` for epoch seconds, in UTC.
    public static func amzDate(epochSeconds: Int64) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondsOfDay = epochSeconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(year)\(two(month))\(two(day))T\(two(secondsOfDay / 3600))\(two(secondsOfDay / 60 % 60))\(two(secondsOfDay % 60))Z"
    }

    /// Howard Hinnant's days-to-civil: the proleptic Gregorian date of a day count.
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// RFC 3986 encoding of everything but the unreserved characters; `/` kept when `keepSlash`.
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// The query as signed, and as it must be sent: encoded pairs sorted by name, then value.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lowercased names, values trimmed with inner runs of spaces collapsed, sorted by name;
    /// repeated names joined with commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            let value = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                .trimmingWhitespace
            merged[name] = merged[name].map { "\($0),\(value)" } ?? value
        }
        return merged.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let headers = canonicalHeaders(request.headers)
        let signedHeaders = headers.map(\.0).joined(separator: ";")
        let text = [
            request.method,
            uriEncode(request.path.isEmpty ? "/" : request.path, keepSlash: true),
            canonicalQuery(request.query),
            headers.map { "\($0.0):\($0.1)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    public static func credentialScope(date: String, scope: SigningScope) -> String {
        "\(date.prefix(8))/\(scope.region)/\(scope.service)/aws4_request"
    }

    public static func stringToSign(canonicalRequest: String, amzDate: String, scope: SigningScope) -> String {
        let hash = Hex.lowercase(SHA256.hash(data: Array(canonicalRequest.utf8)))
        return [algorithm, amzDate, credentialScope(date: amzDate, scope: scope), hash].joined(separator: "\n")
    }

    public static func signingKey(secret: String, date: String, scope: SigningScope) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [String(date.prefix(8)), scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    public static func signature(stringToSign: String, key: SymmetricKey) -> String {
        Hex.lowercase(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    // MARK: Signing

    /// Signs `request`, whose headers must already hold every header it will be sent with that is
    /// to be signed: at least `host`, `x-amz-date` and, for S3, `x-amz-content-sha256` (with
    /// `x-amz-security-token` for temporary credentials; see `amzHeaders`).
    public static func sign(_ request: Request, credentials: AWSCredentials, scope: SigningScope, amzDate: String)
        -> Signature
    {
        let (canonical, signedHeaders) = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope)
        let signature = signature(
            stringToSign: toSign, key: signingKey(secret: credentials.secretAccessKey, date: amzDate, scope: scope))
        let authorization =
            "\(algorithm) Credential=\(credentials.accessKeyId)/\(credentialScope(date: amzDate, scope: scope)),"
            + "SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return Signature(authorization: authorization, signature: signature, signedHeaders: signedHeaders)
    }

    /// The headers a signed S3 request carries besides its own: date, payload hash, session token.
    public static func amzHeaders(amzDate: String, payloadHash: String, credentials: AWSCredentials) -> [(String, String)] {
        var headers = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        return headers
    }

    /// The query of a presigned URL for `request` (whose headers hold at least `host`), valid for
    /// `expiresSeconds`; the caller appends it to the URL as it is.
    public static func presignedQuery(
        _ request: Request, credentials: AWSCredentials, scope: SigningScope, amzDate: String, expiresSeconds: Int
    ) -> String {
        var query = request.query
        query += [
            ("X-Amz-Algorithm", algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(credentialScope(date: amzDate, scope: scope))"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(expiresSeconds)),
        ]
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let signedHeaders = canonicalHeaders(request.headers).map(\.0).joined(separator: ";")
        query.append(("X-Amz-SignedHeaders", signedHeaders))
        var unsigned = request
        unsigned.query = query
        unsigned.payloadHash = unsignedPayload
        let signature = sign(unsigned, credentials: credentials, scope: scope, amzDate: amzDate).signature
        return canonicalQuery(query + [("X-Amz-Signature", signature)])
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
