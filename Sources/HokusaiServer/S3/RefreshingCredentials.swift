import AsyncHTTPClient
import Foundation
import HokusaiCore
import NIOCore

/// Temporary credentials, fetched on first use and again five minutes before they expire.
/// Callers during a refresh wait for the one fetch in flight instead of starting their own.
actor RefreshingCredentials: AWSCredentialsProvider {
    typealias Fetch = @Sendable () async throws -> AWSCredentials

    let source: String
    private let fetch: Fetch
    private let now: @Sendable () -> Int64
    private var current: AWSCredentials?
    private var inFlight: Task<AWSCredentials, any Error>?

    init(source: String, now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }, fetch: @escaping Fetch) {
        self.source = source
        self.now = now
        self.fetch = fetch
    }

    func credentials() async throws -> AWSCredentials {
        if let current, !TemporaryCredentials.needsRefresh(current, now: now()) { return current }
        if let inFlight { return try await inFlight.value }
        let task = Task { try await fetch() }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            current = fresh
            return fresh
        } catch {
            // Still-valid credentials outlive a failed early refresh; the next call tries again.
            if let current, let expiresAt = current.expiresAt, now() < expiresAt { return current }
            throw CredentialsUnavailable(description: "\(source): \(error)")
        }
    }
}

struct CredentialsUnavailable: Error, CustomStringConvertible {
    let description: String
}

/// The credential endpoints of ECS tasks and EC2 instances, over a client of their own with short
/// timeouts: a host that is neither must fail fast, not hang the first upload.
enum CredentialEndpoints {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Hosts a plain-http container credentials URL may name (the AWS SDKs' rule): loopback and
    /// the ECS and EKS agents' link-local addresses. Anything else must be https.
    static let plainHTTPHosts: Set<String> = ["127.0.0.1", "localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// ECS (and EKS Pod Identity): `AWS_CONTAINER_CREDENTIALS_FULL_URI`, or the agent's address and
    /// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`; the token from `AWS_CONTAINER_AUTHORIZATION_TOKEN`
    /// or the file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
    static func container(
        environment: [String: String], now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws -> RefreshingCredentials? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let url: String
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            url = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            let components = URLComponents(string: full)
            let host = components?.host.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) } ?? ""
            guard components?.scheme == "https" || (components?.scheme == "http" && plainHTTPHosts.contains(host)) else {
                throw CredentialsUnavailable(
                    description:
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on loopback or the ECS/EKS agent address")
            }
            url = full
        } else {
            return nil
        }
        let tokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
        let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        return RefreshingCredentials(source: "container credentials", now: now) {
            var request = HTTPClientRequest(url: url)
            // The file is read at each fetch: EKS rotates it.
            let authorization = try tokenFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? token
            if let authorization {
                request.headers.add(name: "Authorization", value: authorization.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return try await fetchCredentials(request, what: "the container credentials endpoint")
        }
    }

    /// EC2's instance metadata service, IMDSv2 (a session token first), at
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT` or `http://169.254.169.254`; off with `AWS_EC2_METADATA_DISABLED=true`.
    static func instanceMetadata(
        environment: [String: String], now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) -> RefreshingCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        var base = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        if base.hasSuffix("/") { base.removeLast() }
        return RefreshingCredentials(source: "the EC2 instance metadata service at \(base)", now: now) { [base] in
            var tokenRequest = HTTPClientRequest(url: base + "/latest/api/token")
            tokenRequest.method = .PUT
            tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
            let token = String(buffer: try await fetch(tokenRequest, what: "an IMDSv2 token"))
            let path = base + "/latest/meta-data/iam/security-credentials/"
            var roleRequest = HTTPClientRequest(url: path)
            roleRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
            let role =
                String(buffer: try await fetch(roleRequest, what: "the instance's role"))
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !role.isEmpty else { throw CredentialsUnavailable(description: "the instance has no IAM role") }
            var credentialsRequest = HTTPClientRequest(url: path + SigV4.uriEncode(role, keepSlash: false))
            credentialsRequest.headers.add(name: "X-aws-ec2-metadata-token", value: token)
            return try await fetchCredentials(credentialsRequest, what: "the role's credentials")
        }
    }

    static func fetchCredentials(_ request: HTTPClientRequest, what: String) async throws -> AWSCredentials {
        try TemporaryCredentials.parse(try await fetch(request, what: what).readableBytesView)
    }

    static func fetch(_ request: HTTPClientRequest, what: String) async throws -> ByteBuffer {
        let response = try await client.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            throw CredentialsUnavailable(description: "\(what) answered \(response.status.code)")
        }
        return body
    }
}
