import Crypto
import Foundation

/// The `model_registered` event the Hokusai site receives, byte for byte as the reference's
/// webhook publisher wrote it (compact JSON, its field order), with its idempotency key and signature.
public struct ModelRegisteredEvent: Sendable {
    public let idempotencyKey: String
    /// The exact bytes that are sent and signed.
    public let body: [UInt8]

    public init(claim: RegistrationClaim, version: String, userId: String, at date: Date) {
        var model: [(String, JSONValue)] = [
            ("id", .string(claim.tokenId.lowercased())),
            ("name", .string(claim.modelName)),
            ("status", .string("registered")),
            ("version", .string(version)),
        ]
        if let run = claim.mlflowRunId { model.append(("run_id", .string(run))) }
        model.append(("user_id", .string(userId)))
        if let schema = claim.apiSchema { model.append(("api_schema", schema.jsonValue)) }
        for (name, value) in [
            ("eval_spec", claim.evalSpec), ("scorer_ref", claim.scorerRef), ("primary_metric", claim.primaryMetric),
            ("benchmark_spec_id", claim.benchmarkSpecId),
        ] {
            if let value { model.append((name, .string(value))) }
        }
        body = JSONWriter.bytes(
            .object([
                ("event_type", .string("model_registered")), ("model", .object(model)),
                ("timestamp", .string(Self.timestamp(date))), ("source", .string("mlflow")),
            ]))
        idempotencyKey = Self.idempotencyKey(
            modelId: claim.modelId(version: version), tokenSymbol: claim.tokenId, runId: claim.mlflowRunId ?? "", version: version
        )
    }

    /// `uuid5(NAMESPACE_DNS, "<model_id>:<token_symbol>:<mlflow_run_id>:<model_version>")`, the
    /// reference's key: a replay of the same registration carries the same key.
    public static func idempotencyKey(modelId: String, tokenSymbol: String, runId: String, version: String) -> String {
        UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "\(modelId):\(tokenSymbol):\(runId):\(version)")
    }

    /// `X-Hokusai-Signature`: `sha256=` and the hex HMAC-SHA256 of the exact body.
    public static func signature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.lowercase(mac)
    }

    /// Naive-UTC ISO 8601 with microseconds and a `Z`, as Python's `datetime.utcnow().isoformat() + "Z"`.
    public static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded()) % 1_000_000
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!,
            parts.second!, micros)
    }
}

/// Name-based UUIDs (RFC 9562 version 5), as Python's `uuid.uuid5`.
public enum UUIDv5 {
    public static let dnsNamespace = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!

    public static func make(namespace: UUID, name: String) -> String {
        let namespaceBytes = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        var hash = Array(Insecure.SHA1.hash(data: namespaceBytes + Array(name.utf8)).prefix(16))
        hash[6] = (hash[6] & 0x0F) | 0x50
        hash[8] = (hash[8] & 0x3F) | 0x80
        let hex = Hex.lowercase(hash)
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
            hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
