import GraphQL
import HokusaiCore
import HokusaiStore

/// What the resolvers of one request reach: the same services the REST routes call, so a GraphQL
/// answer is the REST answer in another shape, checked by the same rules.
struct MLflowGraphQLContext: Sendable {
    let tracking: TrackingService
    let registry: RegistryService
    let artifacts: RunArtifactListEndpoint
    /// A page of runs shares a few experiments: each is read once per request.
    let experiments = ExperimentMemo()
}

actor ExperimentMemo {
    private var found: [String: GraphQLObject] = [:]

    func experiment(id: String, tracking: TrackingService) async throws -> GraphQLObject {
        if let known = found[id] { return known }
        let object = GraphQLObjects.experiment(try await tracking.experiment(id: id))
        found[id] = object
        return object
    }
}

/// MLflow's GraphQL schema: the queries its UI sends (`GetRun`, `SearchRuns`,
/// `MlflowGetExperimentQuery`, `GetMetricHistoryBulkInterval`) and the rest of MLflow's root
/// fields. As in MLflow, an MLflow error comes back in the field's `apiError`, which the UI reads
/// (a missing run shows its "not found" page), not as a GraphQL error.
enum MLflowGraphQLSchema {
    static let schema: GraphQLSchema = try! make()

    static func make() throws -> GraphQLSchema {
        typealias B = GraphQLBuild
        let types = try MLflowGraphQLTypes()
        let long = MLflowGraphQLTypes.longString
        let run = try B.object(
            "MlflowRunExtension",
            fields: [
                ("info", GraphQLField(type: types.runInfo)), ("data", GraphQLField(type: types.runData)),
                ("inputs", GraphQLField(type: types.runInputs)), ("outputs", GraphQLField(type: types.runOutputs)),
                ("experiment", GraphQLField(type: types.experiment, resolve: resolveExperiment)),
                ("modelVersions", GraphQLField(type: B.listOf(types.modelVersion), resolve: resolveModelVersions)),
            ])
        func response(_ name: String, _ fields: [(String, any GraphQLOutputType)]) throws -> GraphQLObjectType {
            try B.object(name, fields + [("apiError", types.apiError)])
        }
        let searchRunsResponse = try response(
            "MlflowSearchRunsResponse", [("runs", B.listOf(run)), ("nextPageToken", GraphQLString)])
        let searchRunsInput = try B.input(
            "MlflowSearchRunsInput",
            [
                ("experimentIds", GraphQLList(GraphQLString)), ("filter", GraphQLString), ("runViewType", types.viewType),
                ("maxResults", GraphQLInt), ("orderBy", GraphQLList(GraphQLString)), ("pageToken", GraphQLString),
            ])
        let echo = try B.object("Test", [("output", GraphQLString)])
        let echoed = try B.object("TestMutation", [("output", GraphQLString)])
        let echoField = { (type: GraphQLObjectType) in
            GraphQLField(
                type: type, description: "Simple echoing field", args: ["inputString": GraphQLArgument(type: GraphQLString)],
                resolve: { _, args, _, _ in ["output": args["inputString"].string] as GraphQLObject })
        }
        let query = try B.object(
            "Query",
            fields: [
                (
                    "mlflowGetExperiment",
                    B.field(
                        try response("MlflowGetExperimentResponse", [("experiment", types.experiment)]),
                        input: try B.input("MlflowGetExperimentInput", [("experimentId", GraphQLString)]), getExperiment)
                ),
                (
                    "mlflowGetMetricHistoryBulkInterval",
                    B.field(
                        try response(
                            "MlflowGetMetricHistoryBulkIntervalResponse", [("metrics", B.listOf(types.metricWithRunId))]),
                        input: try B.input(
                            "MlflowGetMetricHistoryBulkIntervalInput",
                            [
                                ("runIds", GraphQLList(GraphQLString)), ("metricKey", GraphQLString), ("startStep", GraphQLInt),
                                ("endStep", GraphQLInt), ("maxResults", GraphQLInt),
                            ]), metricHistoryBulkInterval)
                ),
                (
                    "mlflowGetRun",
                    B.field(
                        try response("MlflowGetRunResponse", [("run", run)]),
                        input: try B.input("MlflowGetRunInput", [("runId", GraphQLString), ("runUuid", GraphQLString)]),
                        getRun)
                ),
                (
                    "mlflowListArtifacts",
                    B.field(
                        try response(
                            "MlflowListArtifactsResponse",
                            [
                                ("rootUri", GraphQLString), ("files", B.listOf(types.fileInfo)), ("nextPageToken", GraphQLString),
                            ]),
                        input: try B.input(
                            "MlflowListArtifactsInput",
                            [
                                ("runId", GraphQLString), ("runUuid", GraphQLString), ("path", GraphQLString),
                                ("pageToken", GraphQLString),
                            ]), listArtifacts)
                ),
                (
                    "mlflowSearchModelVersions",
                    B.field(
                        try response(
                            "MlflowSearchModelVersionsResponse",
                            [("modelVersions", B.listOf(types.modelVersion)), ("nextPageToken", GraphQLString)]),
                        input: try B.input(
                            "MlflowSearchModelVersionsInput",
                            [
                                ("filter", GraphQLString), ("maxResults", long), ("orderBy", GraphQLList(GraphQLString)),
                                ("pageToken", GraphQLString),
                            ]), searchModelVersions)
                ),
                ("mlflowSearchRuns", B.field(searchRunsResponse, input: searchRunsInput, searchRuns)),
                ("test", echoField(echo)),
            ])
        let mutation = try B.object(
            "Mutation",
            fields: [
                (
                    "mlflowSearchDatasets",
                    B.field(
                        try response("MlflowSearchDatasetsResponse", [("datasetSummaries", B.listOf(types.datasetSummary))]),
                        input: try B.input("MlflowSearchDatasetsInput", [("experimentIds", GraphQLList(GraphQLString))]),
                        searchDatasets)
                ),
                ("mlflowSearchRuns", B.field(searchRunsResponse, input: searchRunsInput, searchRuns)),
                ("testMutation", echoField(echoed)),
            ])
        // MLflow declares `@component(name:)`, which the UI puts on its operations (a Databricks label).
        let component = try GraphQLDirective(
            name: "component", locations: [.query, .mutation],
            args: ["name": GraphQLArgument(type: GraphQLNonNull(GraphQLString))])
        return try GraphQLSchema(
            query: query, mutation: mutation,
            directives: [
                GraphQLIncludeDirective, GraphQLSkipDirective, GraphQLDeprecatedDirective, GraphQLSpecifiedByDirective,
                GraphQLOneOfDirective, component,
            ])
    }

    // MARK: Root fields

    @Sendable static func getExperiment(_: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        try await answering(context) { services in
            let input = GraphQLInput(args)
            let id = try input.required("experimentId")
            return ["experiment": try await services.experiments.experiment(id: id, tracking: services.tracking)]
        }
    }

    @Sendable static func getRun(_: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        try await answering(context) { services in
            let run = try await services.tracking.run(id: try GraphQLInput(args).runId())
            return ["run": GraphQLObjects.run(run)]
        }
    }

    @Sendable static func searchRuns(_: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        try await answering(context) { services in
            let input = GraphQLInput(args)
            let result = try await services.tracking.searchRuns(
                experimentIds: input.strings("experimentIds"), filter: input.string("filter"),
                viewType: input.string("runViewType").flatMap(ViewType.init(rawValue:)) ?? .activeOnly,
                maxResults: input.int("maxResults"), orderBy: input.strings("orderBy"), pageToken: input.string("pageToken"))
            var object: GraphQLObject = ["runs": result.runs.map(GraphQLObjects.run)]
            object["nextPageToken"] = result.nextPageToken
            return object
        }
    }

    @Sendable static func metricHistoryBulkInterval(
        _: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo
    ) async throws -> (any Sendable)? {
        try await answering(context) { services in
            let input = GraphQLInput(args)
            let sampled = try await services.tracking.metricHistoryBulkInterval(
                runIds: input.strings("runIds"), key: try input.required("metricKey"),
                startStep: input.int("startStep").map(Int64.init), endStep: input.int("endStep").map(Int64.init),
                maxResults: input.int("maxResults"))
            return ["metrics": sampled.map { GraphQLObjects.metric($0.point, runId: $0.runId) }]
        }
    }

    @Sendable static func listArtifacts(_: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        try await answering(context) { services in
            let input = GraphQLInput(args)
            let listing = try await services.artifacts.listing(runId: try input.runId(), path: input.string("path") ?? "")
            let files: [GraphQLObject] = listing.files.map { file in
                var object: GraphQLObject = ["path": file.path, "isDir": file.entry.isDirectory]
                object["fileSize"] = file.entry.size
                return object
            }
            return ["rootUri": listing.rootURI, "files": files]
        }
    }

    @Sendable static func searchModelVersions(
        _: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo
    ) async throws -> (any Sendable)? {
        try await answering(context) { services in
            let input = GraphQLInput(args)
            let result = try await services.registry.searchModelVersions(
                filter: input.string("filter"), orderBy: input.strings("orderBy"), maxResults: input.int("maxResults"),
                pageToken: input.string("pageToken"))
            var object: GraphQLObject = ["modelVersions": result.versions.map(GraphQLObjects.modelVersion)]
            object["nextPageToken"] = result.nextPageToken
            return object
        }
    }

    @Sendable static func searchDatasets(_: any Sendable, _ args: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        try await answering(context) { services in
            let summaries = try await services.tracking.searchDatasets(
                experimentIds: GraphQLInput(args).strings("experimentIds"))
            let objects: [GraphQLObject] = summaries.map { summary in
                var object: GraphQLObject = [
                    "experimentId": String(summary.experimentId), "name": summary.name, "digest": summary.digest,
                ]
                object["context"] = summary.context
                return object
            }
            return ["datasetSummaries": objects]
        }
    }

    // MARK: The run's lazy fields

    @Sendable static func resolveExperiment(_ source: any Sendable, _: Map, _ context: any Sendable, _: GraphQLResolveInfo)
        async throws -> (any Sendable)?
    {
        guard let run = GraphQLObjects.runIdentity(of: source), let services = context as? MLflowGraphQLContext else {
            return nil
        }
        return try await services.experiments.experiment(id: run.experimentId, tracking: services.tracking)
    }

    @Sendable static func resolveModelVersions(
        _ source: any Sendable, _: Map, _ context: any Sendable, _: GraphQLResolveInfo
    ) async throws -> (any Sendable)? {
        guard let run = GraphQLObjects.runIdentity(of: source), let services = context as? MLflowGraphQLContext else {
            return nil
        }
        // Run ids are 32 hex digits (`runIdentity` read one we stored), so the filter needs no escaping.
        let result = try await services.registry.searchModelVersions(
            filter: "run_id='\(run.runId)'", orderBy: [], maxResults: nil, pageToken: nil)
        return result.versions.map(GraphQLObjects.modelVersion)
    }

    /// The root field's object, or its `apiError` when the services refuse.
    private static func answering(
        _ context: any Sendable, _ body: (MLflowGraphQLContext) async throws -> GraphQLObject
    ) async throws -> GraphQLObject {
        guard let services = context as? MLflowGraphQLContext else {
            throw GraphQLError(message: "This server has no tracking store behind its GraphQL endpoint")
        }
        do {
            return try await body(services)
        } catch let error as MLflowError {
            return GraphQLObjects.apiError(error)
        } catch let error as APIError {
            return ["apiError": ["code": error.mlflowCode ?? error.code, "message": error.message] as GraphQLObject]
        }
    }
}

/// A root field's `input` argument, already checked against its input type by the library.
struct GraphQLInput {
    let fields: Map

    init(_ args: Map) {
        fields = args["input"]
    }

    func string(_ name: String) -> String? { fields[name].string }
    func strings(_ name: String) -> [String] { fields[name].array?.compactMap(\.string) ?? [] }

    func int(_ name: String) -> Int? {
        guard case .number(let number) = fields[name] else { return nil }
        return number.intValue
    }

    func required(_ name: String) throws(MLflowError) -> String {
        guard let value = string(name), !value.isEmpty else { throw .missing(name) }
        return value
    }

    /// `runId`, or the older `runUuid`.
    func runId() throws(MLflowError) -> String {
        if let id = string("runId"), !id.isEmpty { return id }
        if let id = string("runUuid"), !id.isEmpty { return id }
        throw .missing("runId")
    }
}
