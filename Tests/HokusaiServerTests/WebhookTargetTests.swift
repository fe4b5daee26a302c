import Foundation
import HokusaiCore
import Testing

@testable import HokusaiServer

/// Every spelling of this host is refused when the server starts and before every delivery, by
/// what it resolves to: the same check runs in both places (`WebhookTargetCheck`).
@Suite struct WebhookTargetTests {
    func refusal(_ url: String, configure: (inout WebhookConfiguration) -> Void = { _ in }) -> String? {
        var configuration = WebhookConfiguration()
        configure(&configuration)
        return WebhookTargetCheck.refusal(of: url, configuration: configuration)
    }

    @Test(arguments: [
        "http://127.1/hook", "http://0x7f000001/hook", "http://2130706433/hook", "http://0177.0.0.1/hook",
        "http://[::ffff:7f00:1]/hook", "http://localhost./hook", "http://127.0.0.1./hook",
    ])
    func everySpellingOfLoopbackIsRefused(url: String) {
        let reason = refusal(url)
        #expect(reason?.contains("loopback") == true || reason?.contains("this host") == true, "\(url): \(reason ?? "allowed")")
        #expect(refusal(url) { $0.allowLoopback = true } == nil, "allowed with --webhook-allow-loopback")
    }

    @Test func thisHostsOwnInterfaceAddressesAreRefused() throws {
        let own = HostInterfaces.addresses().filter {
            !$0.description.hasPrefix("127.") && $0.description != "::1" && !$0.description.hasPrefix("fe80")
        }
        try #require(!own.isEmpty, "this machine has an interface address besides loopback")
        for address in own {
            let url = address.isIPv4 ? "http://\(address)/hook" : "http://[\(address)]/hook"
            #expect(refusal(url)?.contains("this host") == true, "\(url)")
        }
    }

    @Test func privateRangesAreRefusedOnlyWhenDenied() {
        #expect(refusal("http://10.20.30.40/hook") == nil)
        #expect(refusal("http://10.20.30.40/hook") { $0.denyPrivate = true }?.contains("private") == true)
    }

    @Test func theServerDoesNotStartOnSuchATarget() async throws {
        let error = await #expect(throws: (any Error).self) {
            try await TestApp.run(.sqlite, configure: { $0.webhooks.urls = ["http://2130706433/hook"] }) { _, _ in }
        }
        #expect(String(describing: error).contains("loopback"))
    }
}
