import Foundation
import HokusaiCore
import Hummingbird

/// `limit` and opaque `page_token` query parameters, with `OffsetPageToken`s;
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
            do {
                offset = try OffsetPageToken.decode(String(token))
            } catch {
                throw APIError.invalidParameter(field: "page_token", message: "page_token is not one this server issued")
            }
        }
        self.init(limit: limit, offset: offset)
    }

    /// The token for the page after this one, when this page came back full.
    func nextToken(returned count: Int) -> String? {
        OffsetPageToken.next(offset: offset, limit: limit, returned: count)
    }
}
