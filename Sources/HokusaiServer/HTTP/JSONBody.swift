import Foundation
import HokusaiCore
import Hummingbird

/// Decodes request bodies, turning every decoding failure into a 400 that names the field.
enum JSONBody {
    static let maximumBytes = 1 << 20

    static func decode<T: Decodable>(
        _ type: T.Type, from request: Request, context: HokusaiRequestContext, emptyMeans empty: String? = nil
    ) async throws -> T {
        let buffer = try await collect(request)
        var data = Data(buffer: buffer)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            guard let empty else {
                throw APIError(
                    status: .badRequest, code: "INVALID_JSON", message: "Request body is empty; a JSON object is required")
            }
            data = Data(empty.utf8)
        }
        do {
            // Our parser, not Foundation's, judges the syntax, so every route refuses the same
            // bodies (a repeated key among them) with the same message.
            let parsed = try JSONParser.parse(data)
            try NULRefusal.check(body: parsed, bytes: data)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: .badRequest, code: "INVALID_JSON", message: "Malformed JSON body: \(error)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(status: .badRequest, code: "INVALID_JSON", message: describe(error))
        }
    }

    /// The whole body, or 413 past `maximumBytes` (400 when it cannot be read).
    static func collect(_ request: Request) async throws -> ByteBuffer {
        try await RequestBodyReader.collect(request, upTo: maximumBytes)
    }

    /// The body as a JSON object of loosely typed values, for handlers that check each field
    /// themselves (and report every problem at once).
    static func object(from request: Request, context: HokusaiRequestContext) async throws -> [String: JSONAny] {
        let buffer = try await collect(request)
        if buffer.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw APIError(status: .badRequest, code: "INVALID_JSON", message: "Request body is empty; a JSON object is required")
        }
        let value: JSONAny
        do {
            value = try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw APIError(status: .badRequest, code: "INVALID_JSON", message: "Malformed JSON body: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError(status: .badRequest, code: "INVALID_JSON", message: "Request body must be a JSON object")
        }
        try NULRefusal.check(body: value, bytes: buffer.readableBytesView)
        return object
    }

    static func describe(_ error: DecodingError) -> String {
        func field(_ path: [any CodingKey]) -> String {
            path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            let name = field(context.codingPath)
            return name.isEmpty ? "Request body must be a JSON object" : "Field '\(name)' must be \(jsonTypeName(type))"
        case .valueNotFound(let type, let context):
            return "Field '\(field(context.codingPath))' must be \(jsonTypeName(type)), not null"
        case .keyNotFound(let key, let context):
            return "Field '\(field(context.codingPath + [key]))' is required"
        case .dataCorrupted(let context):
            let name = field(context.codingPath)
            return name.isEmpty ? "Malformed JSON body" : "Field '\(name)' is invalid: \(context.debugDescription)"
        @unknown default:
            return "Request body could not be decoded"
        }
    }

    static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [String].Type, is [Any].Type: "an array"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
