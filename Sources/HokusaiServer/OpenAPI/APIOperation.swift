import HokusaiCore
import Hummingbird

/// One operation of the HTTP API as the OpenAPI document describes it. Written by hand, apart
/// from the routes (`OpenAPIDocumentTests` holds the two to each other), so the document says
/// what a route promises rather than repeating how it is registered.
struct APIOperation: Sendable {
    struct QueryParameter: Sendable {
        let name: String
        let schema: JSONLiteral
        var required = false
        var description: String? = nil
    }

    struct Reply: Sendable {
        let status: Int
        let description: String
        var schema: JSONLiteral? = nil
        /// `application/json` unless said otherwise.
        var mediaType = "application/json"
    }

    let method: HTTPRequest.Method
    /// The path as OpenAPI writes it: `/api/v1/keys/{id}`.
    let path: String
    let access: RouteAccess
    let tag: String
    let summary: String
    var query: [QueryParameter] = []
    /// The JSON body's schema; `bodyRequired` false when an empty body means `{}`.
    var body: JSONLiteral? = nil
    var bodyRequired = true
    /// A body that is not JSON (an artifact upload).
    var rawBody: String? = nil
    var replies: [Reply]

    /// The `{name}` segments of the path, in order.
    var pathParameterNames: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    var operationId: String {
        let words = path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        return ([method.rawValue.lowercased()] + words).joined(separator: "_")
    }
}

extension APIOperation {
    /// The errors every operation may answer, in the error shape of its path's family.
    var errorReplies: [Reply] {
        let error = Schema.ref(PathFamily.of(path: path) == .mlflow ? "MLflowError" : "HokusaiError")
        var replies = [Reply(status: 400, description: "The request names a field it breaks, and the rule", schema: error)]
        if access != .open {
            replies += [
                Reply(status: 401, description: "No key, or one that is not valid", schema: error),
                Reply(status: 403, description: "The key lacks the scope, or the object is another user's", schema: error),
                Reply(
                    status: 404, description: "No such object (or another user's, where ids must not be probed)", schema: error),
                Reply(status: 429, description: "The key's hourly allowance is spent", schema: error),
            ]
        }
        replies.append(Reply(status: 0, description: "Any other refusal, in the same shape", schema: error))
        return replies
    }

    var document: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("operationId", .string(operationId)), ("tags", .array([.string(tag)])), ("summary", .string(summary)),
        ]
        switch access {
        case .open, .asset:
            fields.append(("security", .array([])))
        case .key(let scope):
            fields.append(("x-required-scope", .string(scope.rawValue)))
        }
        let pathParameters: [JSONValue] = pathParameterNames.map { name in
            .object([
                ("name", .string(name)), ("in", .string("path")), ("required", .bool(true)),
                ("schema", Schema.pathParameter(name).value),
            ])
        }
        let queryParameters: [JSONValue] = query.map { parameter in
            var fields: [(String, JSONValue)] = [
                ("name", .string(parameter.name)), ("in", .string("query")), ("required", .bool(parameter.required)),
                ("schema", parameter.schema.value),
            ]
            if let description = parameter.description { fields.append(("description", .string(description))) }
            return .object(fields)
        }
        if !(pathParameters + queryParameters).isEmpty { fields.append(("parameters", .array(pathParameters + queryParameters))) }
        if let body {
            fields.append(
                (
                    "requestBody",
                    .object([
                        ("required", .bool(bodyRequired)),
                        ("content", .object([("application/json", .object([("schema", body.value)]))])),
                    ])
                ))
        } else if let rawBody {
            fields.append(
                ("requestBody", .object([("required", .bool(true)), ("content", .object([(rawBody, .object([]))]))])))
        }
        let errors = errorReplies.filter { error in !replies.contains { $0.status == error.status } }
        let responses: [(String, JSONValue)] = (replies + errors).map { reply in
            var fields: [(String, JSONValue)] = [("description", .string(reply.description))]
            if let schema = reply.schema {
                fields.append(("content", .object([(reply.mediaType, .object([("schema", schema.value)]))])))
            } else if reply.mediaType != "application/json" {
                fields.append(("content", .object([(reply.mediaType, .object([]))])))
            }
            return (reply.status == 0 ? "default" : String(reply.status), .object(fields))
        }
        fields.append(("responses", .object(responses)))
        return .object(fields)
    }
}
