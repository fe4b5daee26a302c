import Foundation
import Hummingbird

/// `limit` and opaque `page_token` query parameters. Tokens are base64url of `o:<offset>`;
/// anything else is refused with a 400 rather than silently restarting from the first page.
struct PageRequest: Sendable, Equatable {
    let limit: Int
    let offset: Int

    static let defaultLimit = 100
    static let maximumLimit = 1000

    init(limit: Int, offset: Int) {
        self.limit = limit
        self.offset = offset
    }

    init(query: Parameters) throws {
        var limit = Self.defaultLimit
        if let raw = query["limit"] {
            guard let value = Int(raw), (1...Self.maximumLimit).contains(value) else {
                throw APIError.invalidParameter(
                    field: "limit", message: "limit must be an integer from 1 to \(Self.maximumLimit)")
            }
            limit = value
        }
        var offset = 0
        if let token = query["page_token"], !token.isEmpty {
            guard let decoded = Self.decode(token: String(token)) else {
                throw APIError.invalidParameter(field: "page_token", message: "page_token is not one this server issued")
            }
            offset = decoded
        }
        self.init(limit: limit, offset: offset)
    }

    /// The token for the page after this one, when this page came back full.
    func nextToken(returned count: Int) -> String? {
        count < limit ? nil : Self.encode(offset: offset + count)
    }

    static func encode(offset: Int) -> String {
        Data("o:\(offset)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(token: String) -> Int? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("o:"), let offset = Int(text.dropFirst(2)), offset >= 0
        else { return nil }
        return offset
    }
}
