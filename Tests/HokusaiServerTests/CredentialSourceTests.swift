import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import HokusaiServer

/// S3 credentials from ECS's container endpoint and EC2's metadata service (IMDSv2), against
/// stand-ins written from AWS's documented contracts, served on a real loopback socket.
@Suite struct CredentialSourceTests {
    static func answer(_ id: String, expires: String = "2026-12-06T20:00:00Z") -> String {
        #"{"Code":"Success","AccessKeyId":"\#(id)","SecretAccessKey":"secret-\#(id)","Token":"token-\#(id)","Expiration":"\#(expires)"}"#
    }

    /// A clock the test moves: epoch seconds.
    final class Clock: Sendable {
        let seconds = Atomic<Int64>(1_796_580_000)  // 2026-12-06T18:00:00Z, two hours before expiry
        var now: @Sendable () -> Int64 { { self.seconds.load(ordering: .relaxed) } }
    }

    @Test func instanceMetadataIsReadWithASessionTokenAndRefreshedBeforeExpiry() async throws {
        let fetches = Atomic<Int>(0)
        let router = Router()
        router.put("/latest/api/token") { request, _ in
            request.headers[HTTPField.Name("X-aws-ec2-metadata-token-ttl-seconds")!] == "21600"
                ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "session-1")))
                : Response(status: .badRequest)
        }
        router.get("/latest/meta-data/iam/security-credentials/") { request, _ in
            request.headers[HTTPField.Name("X-aws-ec2-metadata-token")!] == "session-1"
                ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "hokusai-role\n")))
                : Response(status: .unauthorized)
        }
        router.get("/latest/meta-data/iam/security-credentials/hokusai-role") { request, _ in
            guard request.headers[HTTPField.Name("X-aws-ec2-metadata-token")!] == "session-1" else {
                return Response(status: .unauthorized)
            }
            let count = fetches.add(1, ordering: .relaxed).newValue
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: Self.answer("ASIA\(count)"))))
        }
        try await Application(router: router).test(.live) { client in
            let clock = Clock()
            let provider = try #require(
                CredentialEndpoints.instanceMetadata(
                    environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(client.port!)"], now: clock.now))
            let first = try await provider.credentials()
            #expect(first.accessKeyId == "ASIA1" && first.sessionToken == "token-ASIA1")
            // Concurrent callers share the cached credentials: one fetch.
            async let a = provider.credentials()
            async let b = provider.credentials()
            #expect(try await [a.accessKeyId, b.accessKeyId] == ["ASIA1", "ASIA1"])
            #expect(fetches.load(ordering: .relaxed) == 1)
            clock.seconds.store(1_796_587_200 - 299, ordering: .relaxed)  // within five minutes of expiry
            #expect(try await provider.credentials().accessKeyId == "ASIA2")
            #expect(fetches.load(ordering: .relaxed) == 2)
        }
        #expect(CredentialEndpoints.instanceMetadata(environment: ["AWS_EC2_METADATA_DISABLED": "true"]) == nil)
    }

    @Test func containerCredentialsSendTheTokenFromItsFile() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("ecs-token-\(UUID().uuidString)")
        try "agent-token\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let router = Router()
        router.get("/v2/credentials/abc") { request, _ in
            request.headers[.authorization] == "agent-token"
                ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: Self.answer("ECS1"))))
                : Response(status: .unauthorized)
        }
        try await Application(router: router).test(.live) { client in
            let environment = [
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:\(client.port!)/v2/credentials/abc",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path,
            ]
            let provider = try AWSCredentialsChain.provider(for: environment)
            #expect(try await provider.credentials().accessKeyId == "ECS1")
            let wrongToken = try #require(
                try CredentialEndpoints.container(
                    environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]!]))
            await #expect(throws: CredentialsUnavailable.self) { try await wrongToken.credentials() }
        }
    }

    @Test func keysInTheEnvironmentComeFirstAndPlainHTTPIsOnlyForLocalAgents() throws {
        let both = [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/x",
        ]
        #expect(try AWSCredentialsChain.provider(for: both) is EnvironmentCredentials)
        for url in ["http://example.com/creds", "http://10.0.0.5/creds", "ftp://127.0.0.1/x"] {
            #expect(throws: CredentialsUnavailable.self, "\(url)") {
                try CredentialEndpoints.container(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url])
            }
        }
        for url in ["https://creds.internal/x", "http://169.254.170.23/v1/credentials", "http://[::1]:8080/x"] {
            #expect(try CredentialEndpoints.container(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": url]) != nil, "\(url)")
        }
    }
}
