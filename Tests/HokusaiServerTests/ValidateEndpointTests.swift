import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ValidateEndpointTests {
    @Test(arguments: TestStoreKind.available)
    func keyValidatesInTheBodyAndInEveryHeader(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, id) = try await client.createKey(
                admin: app.adminKey, #"{"name":"v","user_id":"alice","email":"a@x.io","scopes":["read"],"billing_plan":"pro"}"#)
            let body = try await client.call(
                .post, "/api/v1/keys/validate", json: #"{"api_key":"\#(key)","service_id":"platform"}"#)
            #expect(body.status == .ok)
            #expect(body["is_valid"] as? Bool == true)
            #expect(body.string("code") == "VALID")
            #expect(body.string("key_id") == id)
            #expect(body.string("user_id") == "alice")
            #expect(body.string("email") == "a@x.io")
            #expect(body.string("service_id") == "platform")
            #expect(body.string("environment") == "production")
            #expect(body["scopes"] as? [String] == ["read"])
            #expect(body["rate_limit_per_hour"] as? Int == 1000)
            #expect(body.string("billing_plan") == "pro")
            #expect(body.object.keys.contains("expires_at"))
            let headers: [HTTPFields] = [
                [.authorization: "Bearer \(key)"], [.authorization: "ApiKey \(key)"], [HTTPField.Name("X-API-Key")!: key],
            ]
            for fields in headers {
                let reply = try await client.call(
                    .post, "/api/v1/keys/validate", headers: fields, json: #"{"service_id":"platform"}"#)
                #expect(reply.status == .ok)
                #expect(reply.string("code") == "VALID")
            }
            // The reference gateway's contract: key in the header, no body at all.
            #expect(try await client.call(.post, "/api/v1/keys/validate", key: key).status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func everyFailureHasItsOwnCodeAndStatus(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, id) = try await client.createKey(admin: app.adminKey, #"{"name":"v","user_id":"alice","scopes":["read"]}"#)
            func validate(_ json: String) async throws -> JSONReply {
                try await client.call(.post, "/api/v1/keys/validate", json: json)
            }
            let missing = try await validate("{}")
            #expect(missing.status == .unauthorized && missing.string("code") == "MISSING")
            #expect(missing["is_valid"] as? Bool == false)
            let malformed = try await validate(#"{"api_key":"hk_live_nope"}"#)
            #expect(malformed.status == .unauthorized && malformed.string("code") == "MALFORMED")
            let wrongService = try await validate(#"{"api_key":"\#(key)","service_id":"ml-platform"}"#)
            #expect(wrongService.status == .unauthorized && wrongService.string("code") == "WRONG_SERVICE")
            #expect(wrongService.string("message")?.contains("'platform'") == true)
            #expect(wrongService.string("message")?.contains("'ml-platform'") == true)
            let wrongEnvironment = try await validate(#"{"api_key":"\#(key)","environment":"test"}"#)
            #expect(wrongEnvironment.status == .unauthorized && wrongEnvironment.string("code") == "WRONG_ENVIRONMENT")
            let scope = try await validate(#"{"api_key":"\#(key)","required_scope":"model:write"}"#)
            #expect(scope.status == .forbidden && scope.string("code") == "INSUFFICIENT_SCOPE")
            #expect(scope.string("required_scope") == "write")
            _ = try await client.call(.delete, "/api/v1/keys/\(id)", key: app.adminKey)
            let revoked = try await validate(#"{"api_key":"\#(key)"}"#)
            #expect(revoked.status == .unauthorized && revoked.string("code") == "REVOKED")
            let badScope = try await validate(#"{"api_key":"\#(key)","required_scope":"everything"}"#)
            #expect(badScope.status == .badRequest && badScope.string("field") == "required_scope")
            let badAddress = try await validate(#"{"api_key":"\#(key)","client_ip":"not an address"}"#)
            #expect(badAddress.status == .badRequest && badAddress.string("field") == "client_ip")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func validationCountsAgainstTheHourlyLimit(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (key, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"v","user_id":"alice","rate_limit_per_hour":10}"#)
            for _ in 1...10 {
                #expect(try await client.call(.post, "/api/v1/keys/validate", key: key).status == .ok)
            }
            let limited = try await client.call(.post, "/api/v1/keys/validate", key: key)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.string("code") == "RATE_LIMITED")
            #expect(limited.header("Retry-After") != nil)
            #expect(limited.header("X-RateLimit-Remaining") == "0")
        }
    }
}

@Suite struct ValidateOnBehalfTests {
    @Test(arguments: TestStoreKind.available)
    func theEndClientAddressIsAuditedButNotLimited(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let stranger = APIKeyFormat.generate(environment: .production)
            _ = try await client.call(
                .post, "/api/v1/keys/validate", json: #"{"api_key":"\#(stranger)","client_ip":"203.0.113.7"}"#)
            try await eventually {
                let audit = try await client.call(.get, "/api/v1/audit?event=auth.failed", key: app.adminKey)
                return audit.text.contains("on behalf of 203.0.113.7")
            }
        }
    }
}
