import Foundation
import HokusaiServer

/// Tables for `hokusai keys …`, read from the key service's JSON so local and remote print alike.
enum KeyOutput {
    typealias Info = KeyInfo

    static func issued(_ data: Data) throws -> String {
        let issued = try JSONDecoder().decode(IssuedKeyResponse.self, from: data)
        var lines = [
            "API key (shown once; store it now):",
            "",
            "  \(issued.apiKey)",
            "",
            details(issued.keyInfo),
        ]
        if let old = issued.previousKey {
            lines.append("")
            lines.append("Replaces \(old.id) (\(old.maskedKey)), which works until \(old.revokedAt ?? "its expiry").")
        }
        return lines.joined(separator: "\n")
    }

    static func single(_ data: Data) throws -> String {
        details(try JSONDecoder().decode(Info.self, from: data))
    }

    static func revoked(_ data: Data) throws -> String {
        let revoked = try JSONDecoder().decode(RevokedKeyResponse.self, from: data)
        return revoked.message + "\n" + details(revoked.keyInfo)
    }

    static func list(_ data: Data) throws -> String {
        let keys = try JSONDecoder().decode(KeyListResponse.self, from: data).keys
        let header = ["ID", "NAME", "KEY", "USER", "SERVICE", "SCOPES", "STATE", "CREATED", "LAST USED"]
        let rows = keys.map { key in
            [
                key.id, key.name, key.maskedKey, key.userId, key.serviceId, key.scopes.joined(separator: ","),
                state(key), key.createdAt, key.lastUsedAt ?? "-",
            ]
        }
        return table([header] + rows) + "\n\(keys.count) key(s)"
    }

    static func details(_ key: Info) -> String {
        let fields: [(String, String)] = [
            ("id", key.id), ("name", key.name), ("key", key.maskedKey), ("user", key.userId),
            ("service", key.serviceId), ("environment", key.environment), ("scopes", key.scopes.joined(separator: ", ")),
            ("rate limit", "\(key.rateLimitPerHour)/hour"), ("state", state(key)), ("created", key.createdAt),
            ("expires", key.expiresAt ?? "never"), ("revoked", key.revokedAt ?? "-"), ("last used", key.lastUsedAt ?? "-"),
        ]
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    static func state(_ key: Info) -> String {
        if key.isActive { return key.revokedAt != nil ? "active (ends \(key.revokedAt!))" : "active" }
        if key.revokedAt != nil { return "revoked" }
        return "expired"
    }

    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = (0..<first.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func prettyJSON(_ data: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(decoding: data, as: UTF8.self) }
        return String(decoding: pretty, as: UTF8.self)
    }
}
