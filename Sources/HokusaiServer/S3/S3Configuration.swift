import Foundation
import HokusaiCore

/// Where the S3 artifact store keeps its objects and how it reaches them.
public struct S3Configuration: Sendable {
    public var location: S3Location
    public var region: String
    /// `http(s)://host[:port]` of an S3-compatible service (MinIO, Ceph, R2, moto); nil for AWS.
    public var endpoint: String?
    /// `endpoint/bucket/key` instead of `bucket.endpoint/key`. Defaults to on when an endpoint is
    /// given (what MinIO and moto expect), off for AWS.
    public var pathStyle: Bool
    /// Uploads larger than this go up as a multipart upload, one part of this size at a time.
    public var partSize: Int = 8 << 20
    public var connectTimeoutMillis: Int64 = 5000
    /// The longest S3 may stay silent within one call before it counts as a timeout.
    public var readTimeoutMillis: Int64 = 30_000
    /// The environment credentials are looked up in (`AWS_ACCESS_KEY_ID`…, ECS's and EC2's
    /// variables); the process's own by default.
    public var environment: [String: String]

    public init(
        location: S3Location, region: String, endpoint: String? = nil, pathStyle: Bool? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.location = location
        self.environment = environment
        self.region = region
        self.endpoint = endpoint.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.pathStyle = pathStyle ?? (endpoint != nil)
    }

    /// The settings from the standard AWS variables: the region from `AWS_REGION` or
    /// `AWS_DEFAULT_REGION` (default us-east-1), the endpoint from `AWS_ENDPOINT_URL_S3` or
    /// `AWS_ENDPOINT_URL`; `addressingStyle` is `path`, `virtual` or nil for the default.
    public static func fromEnvironment(
        location: S3Location, addressingStyle: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(S3Location.Invalid) -> S3Configuration {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        let endpoint = value("AWS_ENDPOINT_URL_S3") ?? value("AWS_ENDPOINT_URL")
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw S3Location.Invalid(description: "the S3 endpoint '\(endpoint)' must start with http:// or https://")
        }
        let pathStyle: Bool?
        switch addressingStyle?.lowercased() {
        case nil, "auto": pathStyle = nil
        case "path": pathStyle = true
        case "virtual": pathStyle = false
        case let other?:
            throw S3Location.Invalid(description: "S3 addressing style '\(other)' must be path, virtual or auto")
        }
        return S3Configuration(
            location: location, region: region, endpoint: endpoint, pathStyle: pathStyle, environment: environment)
    }

    /// The base URL requests go to, and the path prefix the signed path starts with.
    var base: (url: String, pathPrefix: String, host: String) {
        let bucket = location.bucket
        if let endpoint {
            let host =
                endpoint.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true).dropFirst().first
                .map(String.init) ?? endpoint
            if pathStyle { return (endpoint, "/" + bucket, host) }
            let scheme = endpoint.hasPrefix("https://") ? "https://" : "http://"
            return (scheme + bucket + "." + host, "", bucket + "." + host)
        }
        let host = pathStyle ? "s3.\(region).amazonaws.com" : "\(bucket).s3.\(region).amazonaws.com"
        return ("https://" + host, pathStyle ? "/" + bucket : "", host)
    }
}
