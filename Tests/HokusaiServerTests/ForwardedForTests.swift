import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// Behind trusted proxies the client is the rightmost untrusted `X-Forwarded-For` entry: what a
/// client writes to the left of its proxy's entry changes nothing, and only addresses are recorded.
@Suite struct ForwardedForTests {
    static let forwarded = HTTPField.Name("X-Forwarded-For")!

    @Test func theClientCannotChooseTheAddressItIsCountedAndAuditedAs() async throws {
        try await TestApp.run(
            .sqlite, mode: .live,
            configure: {
                $0.failedAttemptLimit = 2
                $0.clientAddressRule = ClientAddressRule(trustedProxies: [CIDRBlock("127.0.0.0/8")!])
            }
        ) { client, app in
            // A client behind the proxy at 203.0.113.9 rotates what it writes on the left.
            for spoof in ["1.1.1.1", "2.2.2.2", "not-an-ip"] {
                let guess = APIKeyFormat.generate(environment: .production)
                _ = try await client.call(
                    .get, "/api/v1/keys", key: guess, headers: [Self.forwarded: "\(spoof), 203.0.113.9"])
            }
            let blocked = try await client.call(
                .get, "/api/v1/keys", key: APIKeyFormat.generate(environment: .production),
                headers: [Self.forwarded: "9.9.9.9, 203.0.113.9"])
            #expect(blocked.string("error") == "TOO_MANY_FAILED_ATTEMPTS")
            // Junk in the header is never recorded: the walk stops at the last trusted hop.
            _ = try await client.call(
                .get, "/api/v1/keys", key: APIKeyFormat.generate(environment: .production),
                headers: [Self.forwarded: String(repeating: "x", count: 3000)])
            try await eventually {
                let audit = try await client.call(.get, "/api/v1/audit?event=auth.failed", key: app.adminKey)
                return (audit["events"] as? [[String: Any]])?.count == 3
            }
            let audit = try await client.call(.get, "/api/v1/audit?event=auth.failed", key: app.adminKey)
            let addresses = Set(((audit["events"] as? [[String: Any]]) ?? []).compactMap { $0["client_ip"] as? String })
            #expect(addresses == ["203.0.113.9", "127.0.0.1"], "\(audit.text)")
        }
    }
}
