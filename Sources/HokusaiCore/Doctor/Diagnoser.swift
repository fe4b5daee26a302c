import Foundation

/// Turns an unexpected answer into a diagnosis: the layer, the most likely cause, what to do. The
/// rules encode what the reference team spent days finding by hand: an HTML or plain 404 is a
/// missing route (a load balancer or proxy rule), a JSON `ENDPOINT_NOT_FOUND` is an endpoint the
/// server does not implement; a 503 from validation is the auth service, not the key; and a 401
/// says which of the key's problems it is.
public enum Diagnoser {
    public static func diagnose(_ observation: Observation) -> Diagnosis {
        if let error = observation.transportError { return transport(error, observation) }
        let json = parsedBody(observation)
        let code = (json["error"] as? String) ?? (json["code"] as? String) ?? (json["error_code"] as? String) ?? ""
        let message = (json["message"] as? String) ?? (json["detail"] as? String) ?? ""
        switch observation.status ?? 0 {
        case 401:
            return key(code: code, message: message)
        case 403:
            return Diagnosis(
                layer: .apiKey, cause: "the key lacks the scope this call needs: \(message)",
                fix: "use a key with the 'write' scope for writes (hokusai keys create --scope write …)")
        case 404 where !observation.isJSON:
            return Diagnosis(
                layer: .routing,
                cause:
                    "no route for \(observation.path): a plain or HTML 404 comes from a load balancer or proxy, not from the registry",
                fix: "add a rule forwarding this path prefix to the registry (check every listener, HTTP and HTTPS)")
        case 404 where code == "ENDPOINT_NOT_FOUND":
            return Diagnosis(
                layer: .gateway, cause: "the server answers but does not implement \(observation.request) (\(message))",
                fix: "upgrade the server, or point the client at a base URL that serves this API")
        case 429:
            return Diagnosis(
                layer: .apiKey, cause: "rate limited: \(message)",
                fix: "wait \(observation.retryAfter ?? "a while") s, or raise the key's hourly limit")
        case 502 where message.contains("MLflow server"), 504 where message.contains("MLflow server"):
            return Diagnosis(
                layer: .upstream, cause: "the gateway cannot get an answer from its MLflow server: \(message)",
                fix: "start the MLflow server, or fix --mlflow-upstream; check /api/health/mlflow/detailed")
        case 503
        where code == "AUTH_UNAVAILABLE" || message.lowercased().contains("authentication service")
            || message.lowercased().contains("key store"):
            return Diagnosis(
                layer: .authService, cause: "the key could not be checked because the auth service is unavailable (\(message))",
                fix:
                    "restart the auth service (hokusai serve --role auth) or fix the gateway's --auth-url; the key itself is fine"
            )
        case 502...504 where message.hasPrefix("Artifact storage failed"):
            return artifactStorage(message)
        case 502, 503, 504:
            return Diagnosis(
                layer: .gateway,
                cause: "the server or something in front of it is failing (\(observation.status ?? 0)): \(message)",
                fix: "check the server's /ready and its log around this time")
        case 500...:
            return Diagnosis(
                layer: .gateway, cause: "server error \(observation.status ?? 0): \(message)",
                fix: "read the server log for this request's X-Request-ID")
        case 413:
            return Diagnosis(
                layer: .artifactStore, cause: "the upload is larger than the server accepts: \(message)",
                fix: "raise --max-upload-bytes on the server (or on the proxy in front of it)")
        default:
            return Diagnosis(
                layer: .gateway,
                cause: "unexpected answer \(observation.status ?? 0) to \(observation.request): \(message.prefix(200))",
                fix: "compare with the API reference in the README")
        }
    }

    /// The server's S3 bucket failed; its message names the bucket, the region and S3's code.
    static func artifactStorage(_ message: String) -> Diagnosis {
        let code = message.range(of: "S3 error ").map { String(message[$0.upperBound...].prefix { $0.isLetter || $0.isNumber }) }
        let fix: String
        switch code {
        case "NoSuchBucket"?:
            fix = "create the bucket, or correct the server's --artifacts-destination"
        case "AccessDenied"?, "InvalidAccessKeyId"?, "SignatureDoesNotMatch"?, "ExpiredToken"?, "InvalidToken"?:
            fix =
                "give the server credentials S3 accepts for this bucket (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                + "AWS_SESSION_TOKEN or its role), and check the bucket policy"
        case "PermanentRedirect"?, "AuthorizationHeaderMalformed"?, "IllegalLocationConstraintException"?:
            fix = "set the server's AWS_REGION to the bucket's region"
        case nil where message.contains("no S3 credentials"):
            fix =
                "give the server S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a container or instance role"
        default:
            fix =
                "check that the server reaches its S3 endpoint (AWS_ENDPOINT_URL_S3) in time; /ready shows the artifact_store check"
        }
        return Diagnosis(layer: .artifactStore, cause: "the server's artifact bucket failed: \(message)", fix: fix)
    }

    static func key(code rawCode: String, message: String) -> Diagnosis {
        // MLflow-shaped errors carry only UNAUTHENTICATED; the message says which problem it is.
        let code = rawCode.isEmpty || rawCode == "UNAUTHENTICATED" ? inferredCode(message) : rawCode
        let (cause, fix): (String, String) =
            switch code {
            case "MISSING":
                ("no API key reached the server", "send it as Authorization: Bearer <key> (is a proxy stripping the header?)")
            case "MALFORMED":
                (
                    "the key is not a Hokusai key (wrong shape or checksum)",
                    "copy the whole key again; it is shown once at creation"
                )
            case "NOT_FOUND": ("the key is unknown to this server's key store", "create a key on this deployment")
            case "REVOKED": ("the key was revoked", "create or rotate a key: hokusai keys create / rotate")
            case "EXPIRED": ("the key has expired", "create a new key, or rotate it")
            case "WRONG_SERVICE": ("the key is for another service: \(message)", "use a key issued for this service")
            case "WRONG_ENVIRONMENT": ("the key is for another environment: \(message)", "use a key for this environment")
            default: ("the key was refused: \(message)", "check the key with POST /api/v1/keys/validate")
            }
        return Diagnosis(layer: .apiKey, cause: cause, fix: fix)
    }

    static func inferredCode(_ message: String) -> String {
        let lowered = message.lowercased()
        if lowered.contains("revoked") { return "REVOKED" }
        if lowered.contains("expired") { return "EXPIRED" }
        if lowered.contains("is for service") || lowered.contains("service '") { return "WRONG_SERVICE" }
        if lowered.contains(" key; ") || lowered.contains("environment") { return "WRONG_ENVIRONMENT" }
        if lowered.contains("required") && lowered.contains("api key") { return "MISSING" }
        if lowered.contains("checksum") || lowered.contains("not a hokusai") || lowered.contains("malformed") {
            return "MALFORMED"
        }
        if lowered.contains("not known") || lowered.contains("not found") { return "NOT_FOUND" }
        return ""
    }

    static func transport(_ error: String, _ observation: Observation) -> Diagnosis {
        let lowered = error.lowercased()
        if lowered.contains("certificate") || lowered.contains("tls") || lowered.contains("ssl") || lowered.contains("handshake")
        {
            return Diagnosis(
                layer: .network, cause: "TLS failed: the server's certificate is not trusted (\(error.prefix(160)))",
                fix: "install the CA that signed it, or use the hostname the certificate names")
        }
        if lowered.contains("timeout") || lowered.contains("timed out") {
            return Diagnosis(
                layer: .network, cause: "no answer in time from \(observation.path) (\(error.prefix(160)))",
                fix: "check that the host is reachable and not overloaded (security groups, firewalls)")
        }
        return Diagnosis(
            layer: .network, cause: "cannot connect: \(error.prefix(160))",
            fix: "check the URL, that the server runs, and that nothing blocks the port")
    }

    // MARK: Below HTTP

    public static func dns(host: String, detail: String) -> Diagnosis {
        Diagnosis(
            layer: .network, cause: "the name \(host) does not resolve: \(detail)",
            fix: "check the hostname in the URL and its DNS record (a private zone is not visible from every network)")
    }

    public static func tcp(address: String, detail: String) -> Diagnosis {
        let lowered = detail.lowercased()
        let cause =
            lowered.contains("refused")
            ? "nothing listens at \(address): the connection was refused"
            : lowered.contains("timeout") || lowered.contains("timed out")
                ? "no answer from \(address) within 3 s: a firewall or security group drops the connection, or the host is down"
                : "cannot connect to \(address): \(detail.prefix(160))"
        return Diagnosis(
            layer: .network, cause: cause,
            fix: "check that the server runs and listens on that port, and that nothing between here and there blocks it")
    }

    /// A failed handshake, by its kind: an untrusted issuer (self-signed, private CA), a certificate
    /// for another name, or one that has expired.
    public static func tls(host: String, detail rawDetail: String) -> Diagnosis {
        let detail = tlsReason(rawDetail)
        let lowered = detail.lowercased()
        let (cause, fix): (String, String) =
            if lowered.contains("hostname") {
                (
                    "TLS failed: the certificate does not name \(host)",
                    "use the hostname the certificate was issued for, or reissue it with \(host) in its names"
                )
            } else if lowered.contains("expired") {
                ("TLS failed: the server's certificate has expired", "renew the certificate")
            } else if lowered.contains("certificate") || lowered.contains("verify") {
                (
                    "TLS failed: the server's certificate is not trusted (self-signed or from a private CA): \(detail)",
                    "install the CA that signed it on the clients (SSL_CERT_FILE / REQUESTS_CA_BUNDLE), or serve a publicly trusted certificate"
                )
            } else {
                ("TLS failed: \(detail)", "check that the port speaks TLS (https) and not plain HTTP")
            }
        return Diagnosis(layer: .network, cause: cause, fix: fix)
    }

    /// BoringSSL's reason code (`CERTIFICATE_VERIFY_FAILED`) out of a long error description.
    public static func tlsReason(_ detail: String) -> String {
        let reasons = detail.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.filter { part in
            let word = part.split(separator: " ").first.map(String.init) ?? ""
            return word.count >= 6 && word.allSatisfy { $0.isUppercase || $0 == "_" } && word.contains("_")
        }
        if let reason = reasons.last?.split(separator: " ").first { return String(reason) }
        return String(detail.prefix(160))
    }

    static func parsedBody(_ observation: Observation) -> [String: Any] {
        guard observation.isJSON, let data = observation.body.data(using: .utf8) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}
