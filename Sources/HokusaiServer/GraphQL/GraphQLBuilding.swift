import GraphQL

/// A resolved GraphQL object: field name to value, read by the library's default resolver. Our
/// models are turned into these once per request (`GraphQLObjects`), so most fields need no
/// resolver of their own.
typealias GraphQLObject = [String: any Sendable]

/// Shorthands that keep the schema's declarations as short as MLflow's graphene classes.
enum GraphQLBuild {
    static func object(_ name: String, _ fields: [(String, any GraphQLOutputType)]) throws -> GraphQLObjectType {
        try GraphQLObjectType(
            name: name, fields: GraphQLFieldMap(uniqueKeysWithValues: fields.map { ($0.0, GraphQLField(type: $0.1)) }))
    }

    static func object(_ name: String, fields: [(String, GraphQLField)]) throws -> GraphQLObjectType {
        try GraphQLObjectType(name: name, fields: GraphQLFieldMap(uniqueKeysWithValues: fields))
    }

    static func input(_ name: String, _ fields: [(String, any GraphQLInputType)]) throws -> GraphQLInputObjectType {
        try GraphQLInputObjectType(
            name: name,
            fields: InputObjectFieldMap(uniqueKeysWithValues: fields.map { ($0.0, InputObjectField(type: $0.1)) }))
    }

    static func enumeration(_ name: String, _ cases: [String]) throws -> GraphQLEnumType {
        try GraphQLEnumType(
            name: name,
            values: GraphQLEnumValueMap(uniqueKeysWithValues: cases.map { ($0, GraphQLEnumValue(value: .string($0))) }))
    }

    /// `[T!]`, as graphene's `List(NonNull(T))`.
    static func listOf(_ type: any GraphQLNullableType) -> GraphQLList { GraphQLList(GraphQLNonNull(type)) }

    /// A root field taking one `input` argument of `inputType`.
    static func field(
        _ type: any GraphQLOutputType, input inputType: any GraphQLInputType, _ resolve: @escaping GraphQLFieldResolve
    ) -> GraphQLField {
        GraphQLField(type: type, args: ["input": GraphQLArgument(type: inputType)], resolve: resolve)
    }
}
