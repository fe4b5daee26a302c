import Foundation

/// Page tokens for every paged listing (MLflow searches, keys, audit) in the reference SQL store's format, `base64(json({"offset": N}))`, so tokens
/// look familiar; clients treat them as opaque. Anything else is refused with its reason.
public enum OffsetPageToken {
    public static func encode(offset: Int) -> String {
        Data("{\"offset\": \(offset)}".utf8).base64EncodedString()
    }

    public static func decode(_ token: String?) throws(MLflowError) -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let data = Data(base64Encoded: token) else {
            throw .invalid("Invalid page token, could not base64-decode")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let offset = (object["offset"] as? NSNumber)?.intValue, offset >= 0,
            "\(object["offset"]!)" == String(offset)
        else {
            throw .invalid("Invalid page token, decoded value=\(text.prefix(200))")
        }
        return offset
    }

    /// The next page's token when this page came back full.
    public static func next(offset: Int, limit: Int, returned: Int) -> String? {
        returned < limit ? nil : encode(offset: offset + returned)
    }
}
