import Testing

@testable import HokusaiCore

@Suite struct DiagnoserTests {
    func observation(_ status: Int?, json: String? = nil, html: String? = nil, error: String? = nil) -> Observation {
        Observation(
            method: "GET", path: "/api/mlflow/api/2.0/mlflow/experiments/get", status: status,
            contentType: json != nil ? "application/json" : html != nil ? "text/html" : nil, body: json ?? html ?? "",
            transportError: error)
    }

    @Test func anArtifactBucketFailureNamesTheBucketAndItsFix() {
        let missing = Diagnoser.diagnose(
            observation(
                503,
                json:
                    #"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"Artifact storage failed (PutObject a): the bucket 'b' does not exist in region eu-west-1; create it (S3 error NoSuchBucket, HTTP 404)"}"#
            ))
        #expect(missing.layer == .artifactStore && missing.cause.contains("'b'") && missing.cause.contains("eu-west-1"))
        #expect(missing.fix.contains("create the bucket"))
        let denied = Diagnoser.diagnose(
            observation(
                503,
                json: #"{"message":"Artifact storage failed (GetObject k): refused (S3 error SignatureDoesNotMatch, HTTP 403)"}"#)
        )
        #expect(denied.layer == .artifactStore && denied.fix.contains("AWS_SECRET_ACCESS_KEY"))
        let region = Diagnoser.diagnose(
            observation(
                503, json: #"{"message":"Artifact storage failed (x): not in region (S3 error PermanentRedirect, HTTP 301)"}"#))
        #expect(region.fix.contains("AWS_REGION"))
        let slow = Diagnoser.diagnose(observation(504, json: #"{"message":"Artifact storage failed (x): did not answer"}"#))
        #expect(slow.layer == .artifactStore && slow.fix.contains("/ready"))
        let noKeys = Diagnoser.diagnose(
            observation(
                503, json: #"{"message":"Artifact storage failed (x): no S3 credentials: the EC2 instance metadata service…"}"#))
        #expect(noKeys.fix.contains("AWS_ACCESS_KEY_ID"))
        #expect(Diagnoser.diagnose(observation(503, json: #"{"message":"something else"}"#)).layer == .gateway)
    }

    @Test func routingIsToldFromMissingEndpoints() {
        #expect(Diagnoser.diagnose(observation(404, html: "<html>Not Found</html>")).layer == .routing)
        #expect(Diagnoser.diagnose(observation(404, html: "")).layer == .routing)
        let notImplemented = Diagnoser.diagnose(observation(404, json: #"{"error_code":"ENDPOINT_NOT_FOUND","message":"x"}"#))
        #expect(notImplemented.layer == .gateway && notImplemented.cause.contains("does not implement"))
    }

    @Test func theAuthServiceIsToldFromTheKey() {
        let down = Diagnoser.diagnose(
            observation(
                503, json: #"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"The authentication service cannot be reached"}"#))
        #expect(down.layer == .authService && down.fix.contains("the key itself is fine"))
        for (message, expected) in [
            ("API key hk_live_ab…cd was revoked at 2026-01-01T00:00:00Z", "revoked"),
            ("API key hk_live_ab…cd expired at 2026-01-01T00:00:00Z", "expired"),
            ("API key hk_live_ab…cd is for service 'website', not 'platform'", "another service"),
            ("API key is not known to this server", "unknown"),
        ] {
            let diagnosis = Diagnoser.diagnose(
                observation(401, json: #"{"error_code":"UNAUTHENTICATED","message":"\#(message)"}"#))
            #expect(diagnosis.layer == .apiKey && diagnosis.cause.contains(expected), "\(message)")
        }
        #expect(
            Diagnoser.diagnose(observation(403, json: #"{"error_code":"PERMISSION_DENIED","message":"scope"}"#)).cause.contains(
                "scope"))
    }

    @Test func upstreamsNetworkAndTLSAreNamed() {
        #expect(
            Diagnoser.diagnose(
                observation(
                    502, json: #"{"error_code":"TEMPORARILY_UNAVAILABLE","message":"Cannot reach the MLflow server at http://x"}"#
                )
            )
            .layer == .upstream)
        #expect(Diagnoser.diagnose(observation(nil, error: "Connection refused")).layer == .network)
        #expect(Diagnoser.diagnose(observation(nil, error: "handshake failed: certificate verify failed")).cause.contains("TLS"))
    }

    @Test func theVerdictAndExitCodeFollowTheStages() {
        let pass = DoctorCheck(stage: "infra", name: "a", outcome: .pass, evidence: "")
        #expect(DoctorReport(target: "t", checks: [pass]).verdict == .healthy)
        let trackingFailure = DoctorCheck(stage: "tracking", name: "b", outcome: .fail, evidence: "")
        #expect(DoctorReport(target: "t", checks: [pass, trackingFailure]).verdict.exitCode == 1)
        let authFailure = DoctorCheck(stage: "auth", name: "c", outcome: .fail, evidence: "")
        let report = DoctorReport(target: "t", checks: [pass, trackingFailure, authFailure])
        #expect(report.verdict.exitCode == 2 && report.score(of: "infra") == (1, 1))
        #expect(report.markdown().contains("| tracking | 0/1 |"))
    }

    @Test func belowHTTPEachLayerIsNamed() {
        #expect(Diagnoser.dns(host: "registry.example", detail: "Name or service not known").cause.contains("does not resolve"))
        #expect(
            Diagnoser.tcp(address: "10.0.3.219:5000", detail: "Connection refused (errno: 111)").cause.contains("nothing listens")
        )
        #expect(Diagnoser.tcp(address: "10.0.3.219:5000", detail: "connectTimeout").cause.contains("firewall"))
        let boring =
            "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at handshake.cc:320]))"
        #expect(Diagnoser.tlsReason(boring) == "CERTIFICATE_VERIFY_FAILED")
        let untrusted = Diagnoser.tls(host: "mlflow.internal", detail: boring)
        #expect(untrusted.layer == .network && untrusted.cause.contains("not trusted") && untrusted.fix.contains("CA"))
        #expect(
            Diagnoser.tls(host: "a.example", detail: "failedToValidateHostname(expectedName: a.example)").cause.contains(
                "does not name"))
        #expect(Diagnoser.tls(host: "a.example", detail: "WRONG_VERSION_NUMBER").fix.contains("plain HTTP"))
    }

    @Test func rateLimitsSayWhenToRetry() {
        var limited = observation(
            429,
            json:
                #"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"API key hk_live_ab…cd has used its 1000 requests this hour"}"#
        )
        limited.retryAfter = "120"
        let diagnosis = Diagnoser.diagnose(limited)
        #expect(diagnosis.layer == .apiKey && diagnosis.cause.contains("rate limited") && diagnosis.fix.contains("120 s"))
    }
}
