import Foundation
import Testing

@testable import HokusaiCore

@Suite struct PresentedCredentialTests {
    let key = "hk_live_" + String(repeating: "a", count: 32)

    func found(_ authorization: String?, _ xAPIKey: String? = nil) -> PresentedCredential.Found? {
        if case .success(let found) = PresentedCredential.extract(authorization: authorization, xAPIKey: xAPIKey) {
            return found
        }
        return nil
    }

    @Test(arguments: ["Bearer", "bearer", "BEARER"])
    func bearerSchemeIsCaseInsensitive(scheme: String) {
        #expect(found("\(scheme) \(key)") == .init(key: key, placement: .bearer))
    }

    @Test func apiKeySchemeAndHeaderAreAccepted() {
        #expect(found("ApiKey \(key)") == .init(key: key, placement: .apiKey))
        #expect(found(nil, key) == .init(key: key, placement: .xAPIKey))
    }

    @Test func basicCarriesTheKeyAsPasswordOrAloneAsUsername() {
        let password = Data("mlflow-user:\(key)".utf8).base64EncodedString()
        #expect(found("Basic \(password)") == .init(key: key, placement: .basic))
        let username = Data("\(key):".utf8).base64EncodedString()
        #expect(found("Basic \(username)") == .init(key: key, placement: .basic))
    }

    @Test func authorizationWinsOverXAPIKey() {
        #expect(found("Bearer \(key)", "other")?.key == key)
    }

    @Test func spacesAndTabsAroundTheSchemeAndKeyAreIgnored() {
        #expect(found(" \tBearer \t \(key)\t ") == .init(key: key, placement: .bearer))
        #expect(found(nil, "\t \(key) ") == .init(key: key, placement: .xAPIKey))
        #expect(found("\t", key) == .init(key: key, placement: .xAPIKey))
    }

    @Test func noCredentialIsNil() {
        #expect(found(nil, nil) == nil)
        #expect(found("   ", "") == nil)
    }

    @Test(arguments: [
        "Token abc", "Bearer", "Bearer    ", "Basic !!!notbase64", "Basic " + Data("nocolon".utf8).base64EncodedString(),
    ])
    func unusableAuthorizationIsMalformed(header: String) {
        guard case .failure(let rejection) = PresentedCredential.extract(authorization: header, xAPIKey: nil) else {
            Issue.record("expected a rejection for \(header)")
            return
        }
        #expect(rejection.code == .malformed)
    }
}
