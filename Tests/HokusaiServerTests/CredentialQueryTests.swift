import Testing

@testable import HokusaiServer

/// The gateway's in-place check of a query without escapes; what it lets through and refuses end
/// to end is in `GatewayTests.keyInTheQueryStringIsRefusedWithAHint`.
@Suite struct CredentialQueryTests {
    @Test func credentialParameterNamesAreFoundByExactNameOnly() {
        for query in ["api_key=1", "a=1&access_token", "&&api-key=", "x=1&apikey=2&y=3"] {
            #expect(GatewayMiddleware.namesACredentialParameter(unescapedQuery: query), "\(query)")
        }
        for query in ["", "x=api_key", "not_api_key=1&api_keys=2", "run_id=abc", "api_key_x", "=api_key"] {
            #expect(!GatewayMiddleware.namesACredentialParameter(unescapedQuery: query), "\(query)")
        }
    }
}
