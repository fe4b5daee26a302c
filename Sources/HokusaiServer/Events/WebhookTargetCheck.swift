import Foundation
import HokusaiCore

/// The one check of a webhook target, run when the server starts and again before every delivery:
/// the URL's form (`WebhookTargetPolicy`), then every address its host resolves to, judged with
/// this host's current interface addresses. A name can point anywhere, whatever it pointed at
/// when the server started.
enum WebhookTargetCheck {
    /// Why `target` may not be posted to now, or nil when it may.
    static func refusal(of target: String, configuration: WebhookConfiguration) -> String? {
        var allowance = WebhookTargetPolicy.Allowance(
            thisHost: configuration.allowLoopback, privateRanges: !configuration.denyPrivate)
        if !allowance.thisHost { allowance.hostAddresses = HostInterfaces.addresses() }
        let url: URL
        do {
            url = try WebhookTargetPolicy.check(url: target, allowance: allowance)
        } catch {
            return error.description
        }
        guard let host = url.host else { return "webhook URL '\(target)' has no host" }
        // A name that does not resolve is left to the HTTP client, which reports it when it posts.
        guard case .success(let addresses) = HostResolver.addresses(of: host.trimmingCharacters(in: ["[", "]"])) else {
            return nil
        }
        for address in addresses.compactMap(IPAddress.init) {
            do {
                try WebhookTargetPolicy.check(
                    address: address, url: WebhookTargetPolicy.displayName(target), allowance: allowance)
            } catch {
                return error.description
            }
        }
        return nil
    }
}
