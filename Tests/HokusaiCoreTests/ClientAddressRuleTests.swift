import Testing

@testable import HokusaiCore

@Suite struct IPAddressTests {
    @Test(arguments: ["192.0.2.7", "::1", "2001:db8::1", "[2001:db8::1]", "fe80::1%eth0", "::ffff:192.0.2.7"])
    func literalsParse(text: String) {
        #expect(IPAddress(text) != nil)
    }

    @Test(arguments: ["not-an-ip", "", "127.1", "0x7f000001", "2130706433", "0177.0.0.1", "1.2.3.4.5", "256.0.0.1", "1.2.3.4 "])
    func anythingElseIsRefused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func mappedAddressesAreTheirIPv4() {
        #expect(IPAddress("::ffff:192.0.2.7") == IPAddress("192.0.2.7"))
        #expect(IPAddress("::ffff:192.0.2.7")?.description == "192.0.2.7")
        #expect(IPAddress("2001:DB8:0:0::1")?.description == "2001:db8::1")
    }

    @Test func blocksContainTheirAddresses() throws {
        let ten = try #require(CIDRBlock("10.0.0.0/8"))
        #expect(ten.contains(try #require(IPAddress("10.200.1.1"))))
        #expect(!ten.contains(try #require(IPAddress("11.0.0.1"))))
        #expect(!ten.contains(try #require(IPAddress("::1"))))
        let odd = try #require(CIDRBlock("192.168.1.128/25"))
        #expect(odd.contains(try #require(IPAddress("192.168.1.200"))))
        #expect(!odd.contains(try #require(IPAddress("192.168.1.127"))))
        let v6 = try #require(CIDRBlock("2001:db8::/32"))
        #expect(v6.contains(try #require(IPAddress("2001:db8:ffff::1"))))
        #expect(CIDRBlock("203.0.113.9")?.contains(try #require(IPAddress("203.0.113.9"))) == true)
        #expect(CIDRBlock("0.0.0.0/0")?.contains(try #require(IPAddress("8.8.8.8"))) == true)
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "x/8", "10.0.0.0/8/1"] {
            #expect(CIDRBlock(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct ClientAddressRuleTests {
    let behindBalancer = ClientAddressRule(trustedProxies: [CIDRBlock("10.0.0.0/8")!, CIDRBlock("127.0.0.1")!])

    @Test func withoutTrustTheHeaderIsIgnored() {
        #expect(ClientAddressRule().clientAddress(peer: "198.51.100.1", forwardedFor: "1.2.3.4") == "198.51.100.1")
    }

    @Test func theRightmostUntrustedEntryIsTheClient() {
        // The client wrote 1.2.3.4 itself; the balancer (10.0.0.5) added 203.0.113.9.
        #expect(behindBalancer.clientAddress(peer: "10.0.0.5", forwardedFor: "1.2.3.4, 203.0.113.9") == "203.0.113.9")
        #expect(
            behindBalancer.clientAddress(peer: "127.0.0.1", forwardedFor: "1.2.3.4, 203.0.113.9, 10.0.0.7") == "203.0.113.9")
    }

    @Test func aPeerThatIsNoTrustedProxyIsTheClient() {
        #expect(behindBalancer.clientAddress(peer: "198.51.100.1", forwardedFor: "10.0.0.1") == "198.51.100.1")
    }

    @Test func junkEndsTheWalkAtTheLastTrustedHop() {
        let junk = String(repeating: "x", count: 3000)
        #expect(behindBalancer.clientAddress(peer: "10.0.0.5", forwardedFor: "not-an-ip") == "10.0.0.5")
        #expect(behindBalancer.clientAddress(peer: "10.0.0.5", forwardedFor: "\(junk), 10.0.0.6") == "10.0.0.6")
    }

    @Test func allTrustedHopsGiveTheLeftmost() {
        #expect(behindBalancer.clientAddress(peer: "10.0.0.5", forwardedFor: "10.1.1.1,10.0.0.6") == "10.1.1.1")
    }

    @Test func oneHopTakesTheEntryTheProxyAdded() {
        let oneHop = ClientAddressRule(trustsOneHop: true)
        #expect(oneHop.clientAddress(peer: "127.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.9") == "203.0.113.9")
        #expect(oneHop.clientAddress(peer: "127.0.0.1", forwardedFor: "not-an-ip") == "127.0.0.1")
        #expect(oneHop.clientAddress(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
    }

    @Test func badProxyListsNameTheEntry() {
        #expect(ClientAddressRule.parseTrustedProxies("10.0.0.0/8, nope") == .failure(.init(entry: "nope")))
        #expect((try? ClientAddressRule.parseTrustedProxies(" 10.0.0.0/8 ,::1").get())?.count == 2)
    }
}
