import GraphQL
import HokusaiCore
import HokusaiStore
import Hummingbird

/// `POST /graphql` under each prefix the UI may be served from, as MLflow's server answers it: a
/// JSON body `{query, variables, operationName}` and `{"data": …, "errors": [message, …] | null}`.
/// Every field is a read, so the route asks for a `read` key (or session), as the REST reads do.
/// A document that does not parse, fails validation or passes `GraphQLQueryLimits` is a 400 with
/// the reason in `errors`; nothing of it runs.
struct GraphQLEndpoint {
    static let paths = ["/graphql", "/api/mlflow/graphql", "/mlflow/graphql"]

    let tracking: TrackingService
    let registry: RegistryService
    let artifacts: RunArtifactListEndpoint
    var limits = GraphQLQueryLimits()

    func register(on routes: inout RouteRegistrar) {
        for path in Self.paths {
            routes.add(.post, path, requires: .read) { request, requestContext, _ in
                do {
                    let parameters = try await MLflowParameters.parse(request, context: requestContext)
                    return try await answer(parameters)
                } catch let error as MLflowError {
                    throw APIError(mlflow: error)
                }
            }
        }
    }

    func answer(_ parameters: MLflowParameters) async throws -> Response {
        guard let query = try parameters.string("query"), !query.isEmpty else { throw MLflowError.missing("query") }
        var variables: [String: Map] = [:]
        switch parameters.raw("variables") {
        case nil: break
        case .object(let fields)?: variables = fields.mapValues(Self.map)
        case let other?: throw MLflowParameters.invalid(other, "variables")
        }
        let document: Document
        do {
            document = try parse(source: Source(body: query, name: "GraphQL request"))
        } catch let error as GraphQLError {
            return Self.reply(data: nil, errors: [error.message], status: .badRequest)
        }
        if let refusal = limits.refusal(of: document) {
            return Self.reply(data: nil, errors: [refusal], status: .badRequest)
        }
        let invalid = validate(schema: MLflowGraphQLSchema.schema, ast: document)
        guard invalid.isEmpty else { return Self.reply(data: nil, errors: invalid.map(\.message), status: .badRequest) }
        // A context per request: its experiment memo must not outlive the request.
        let result = try await execute(
            schema: MLflowGraphQLSchema.schema, documentAST: document, rootValue: (),
            context: MLflowGraphQLContext(tracking: tracking, registry: registry, artifacts: artifacts),
            variableValues: variables, operationName: try parameters.string("operationName"))
        return Self.reply(data: result.data, errors: result.errors.map(\.message), status: .ok)
    }

    static func reply(data: Map?, errors: [String], status: HTTPResponse.Status) -> Response {
        JSONResponse.make(
            .object([
                ("data", data.map(json) ?? .null), ("errors", errors.isEmpty ? .null : .array(errors.map { .string($0) })),
            ]),
            status: status)
    }

    /// A result as JSON, fields in the order the query asked for them.
    static func json(_ map: Map) -> JSONValue {
        switch map {
        case .undefined, .null: .null
        case .bool(let value): .bool(value)
        case .number(let number):
            switch number.storageType {
            case .bool: .bool(number.boolValue)
            case .int: .int64(number.int64Value)
            case .double, .unknown: .double(number.doubleValue)
            }
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(json))
        case .dictionary(let fields): .object(fields.map { ($0.key, json($0.value)) })
        }
    }

    /// A request's variables as the library's values.
    static func map(_ value: JSONAny) -> Map {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .number(Number(number))
        case .double(let number): .number(Number(number))
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(map))
        case .object(let fields):
            .dictionary(.init(uniqueKeysWithValues: fields.sorted { $0.key < $1.key }.map { ($0.key, map($0.value)) }))
        }
    }
}
