import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /graphql` answers the queries mlflow 3.17.2's UI sends, with the texts it sends them in.
@Suite struct MLflowGraphQLTests {
    /// The UI's `GetRun` (run page), as its bundle has it.
    static let getRun = """
        query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
          mlflowGetRun(input: $data) {
            apiError { helpUrl code message }
            run {
              info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
              experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
              modelVersions { status version name source }
              data { metrics { key value step timestamp } params { key value } tags { key value } }
              inputs {
                datasetInputs { dataset { digest name profile schema source sourceType } tags { key value } }
                modelInputs { modelId }
              }
              outputs { modelOutputs { modelId step } }
            }
          }
        }
        """

    static let searchRuns = """
        query SearchRuns($data: MlflowSearchRunsInput!) {
          mlflowSearchRuns(input: $data) {
            apiError { helpUrl code message }
            runs {
              info { runName status runUuid experimentId startTime }
              experiment { experimentId name }
              data { metrics { key value step timestamp } params { key value } }
              modelVersions { version name creationTimestamp status source }
            }
            nextPageToken
          }
        }
        """

    static let getExperiment = """
        query MlflowGetExperimentQuery($input: MlflowGetExperimentInput!) @component(name: "MLflow.ExperimentRunTracking") {
          mlflowGetExperiment(input: $input) {
            apiError { code message }
            experiment {
              artifactLocation creationTime effectiveTraceArchivalRetention experimentId lastUpdateTime lifecycleStage name
              tags { key value }
            }
          }
        }
        """

    static let bulkInterval = """
        query GetMetricHistoryBulkInterval($data: MlflowGetMetricHistoryBulkIntervalInput!)
          @component(name: "MLflow.ExperimentRunTracking") {
          mlflowGetMetricHistoryBulkInterval(input: $data) {
            __typename
            metrics { timestamp step runId key value }
            apiError { code message }
          }
        }
        """

    static func body(_ query: String, variables: String) -> String {
        let quoted = String(decoding: try! JSONEncoder().encode(query), as: UTF8.self)
        return #"{"query":\#(quoted),"variables":\#(variables)}"#
    }

    @Test(arguments: TestStoreKind.available)
    func theRunPagesQueryReturnsTheRunItsExperimentAndItsModelVersions(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            for json in [
                #"{"run_id":"\#(runId)","key":"alpha","value":"0.5"}"#,
                #"{"run_id":"\#(runId)","key":"team","value":"ml"}"#,
            ] {
                _ = try await client.mlflow(.post, "runs/log-parameter", key: key, json: json)
            }
            _ = try await client.mlflow(
                .post, "runs/log-batch", key: key,
                json:
                    #"{"run_id":"\#(runId)","metrics":[{"key":"loss","value":0.25,"timestamp":7,"step":3},{"key":"bad","value":"NaN","timestamp":7}]}"#
            )
            _ = try await client.mlflow(
                .post, "runs/log-inputs", key: key,
                json:
                    #"{"run_id":"\#(runId)","datasets":[{"tags":[{"key":"mlflow.data.context","value":"training"}],"dataset":{"name":"train-set","digest":"abc123","source_type":"http","source":"s"}}]}"#
            )
            _ = try await client.mlflow(.post, "registered-models/create", key: key, json: #"{"name":"gql-model"}"#)
            let version = try await client.mlflow(
                .post, "model-versions/create", key: key,
                json: #"{"name":"gql-model","source":"runs:/\#(runId)/model","run_id":"\#(runId)"}"#)
            #expect(version.status == .ok, "\(version.text)")

            for prefix in ["", "/api/mlflow", "/mlflow"] {
                let reply = try await client.call(
                    .post, "\(prefix)/graphql", key: key,
                    json: Self.body(Self.getRun, variables: #"{"data":{"runId":"\#(runId)"}}"#))
                #expect(reply.status == .ok, "\(prefix): \(reply.text)")
                #expect(reply.object["errors"] is NSNull, "\(reply.text)")
                let field = try #require((reply["data"] as? [String: Any])?["mlflowGetRun"] as? [String: Any])
                #expect(field["apiError"] is NSNull)
                let run = try #require(field["run"] as? [String: Any])
                let info = try #require(run["info"] as? [String: Any])
                #expect(info["runUuid"] as? String == runId)
                #expect(info["status"] as? String == "RUNNING")
                // int64 travels as a string, so JavaScript does not round it.
                #expect(info["startTime"] as? String == "1")
                #expect(info["endTime"] is NSNull)
                #expect(info["experimentId"] as? String == experimentId)
                let experiment = try #require(run["experiment"] as? [String: Any])
                #expect(experiment["experimentId"] as? String == experimentId)
                #expect((experiment["name"] as? String)?.hasPrefix("exp-") == true)
                let versions = try #require(run["modelVersions"] as? [[String: Any]])
                #expect(versions.count == 1)
                #expect(versions.first?["name"] as? String == "gql-model" && versions.first?["status"] as? String == "READY")
                let data = try #require(run["data"] as? [String: Any])
                let metrics = try #require(data["metrics"] as? [[String: Any]])
                let loss = try #require(metrics.first { $0["key"] as? String == "loss" })
                #expect(loss["value"] as? Double == 0.25 && loss["step"] as? String == "3" && loss["timestamp"] as? String == "7")
                // GraphQL's Float has no NaN: null, as MLflow answers.
                #expect(metrics.first { $0["key"] as? String == "bad" }?["value"] is NSNull)
                #expect((data["params"] as? [[String: Any]])?.count == 2)
                let inputs = try #require((run["inputs"] as? [String: Any])?["datasetInputs"] as? [[String: Any]])
                #expect((inputs.first?["dataset"] as? [String: Any])?["sourceType"] as? String == "http")
                #expect((inputs.first?["tags"] as? [[String: Any]])?.first?["value"] as? String == "training")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aMissingRunComesBackAsTheApiErrorTheUIShowsAsNotFound(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let missing = String(repeating: "a", count: 32)
            let reply = try await client.call(
                .post, "/graphql", key: app.adminKey,
                json: Self.body(Self.getRun, variables: #"{"data":{"runId":"\#(missing)"}}"#))
            #expect(reply.status == .ok)
            let field = try #require((reply["data"] as? [String: Any])?["mlflowGetRun"] as? [String: Any])
            #expect(field["run"] is NSNull)
            let error = try #require(field["apiError"] as? [String: Any])
            #expect(error["code"] as? String == "RESOURCE_DOES_NOT_EXIST")
            #expect(error["message"] as? String == "Run with id=\(missing) not found")
            let noId = try await client.call(
                .post, "/graphql", key: app.adminKey, json: Self.body(Self.getRun, variables: #"{"data":{}}"#))
            let noIdError = (((noId["data"] as? [String: Any])?["mlflowGetRun"] as? [String: Any])?["apiError"] as? [String: Any])
            #expect(noIdError?["code"] as? String == "INVALID_PARAMETER_VALUE")
            #expect((noIdError?["message"] as? String)?.contains("'runId'") == true)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func theRunsTableAndTheExperimentPageGetWhatTheRESTRoutesAnswer(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, first) = try await client.makeRun(key: key)
            var runIds = [first]
            for _ in 0..<2 {
                let made = try await client.mlflow(
                    .post, "runs/create", key: key, json: #"{"experiment_id":"\#(experimentId)","start_time":2}"#)
                runIds.append(try #require(((made["run"] as? [String: Any])?["info"] as? [String: Any])?["run_id"] as? String))
            }
            for (index, runId) in runIds.enumerated() {
                _ = try await client.mlflow(
                    .post, "runs/log-metric", key: key,
                    json: #"{"run_id":"\#(runId)","key":"acc","value":\#(Double(index) / 10),"timestamp":1}"#)
            }
            let variables =
                #"{"data":{"experimentIds":["\#(experimentId)"],"filter":"metrics.acc > 0","runViewType":"ACTIVE_ONLY","maxResults":1,"orderBy":["metrics.acc DESC"]}}"#
            let page = try await client.call(.post, "/graphql", key: key, json: Self.body(Self.searchRuns, variables: variables))
            let field = try #require((page["data"] as? [String: Any])?["mlflowSearchRuns"] as? [String: Any], "\(page.text)")
            let runs = try #require(field["runs"] as? [[String: Any]])
            #expect(runs.count == 1)
            #expect((runs.first?["info"] as? [String: Any])?["runUuid"] as? String == runIds[2])
            #expect((runs.first?["experiment"] as? [String: Any])?["experimentId"] as? String == experimentId)
            #expect(runs.first?["modelVersions"] as? [Any] != nil)
            let token = try #require(field["nextPageToken"] as? String)
            let rest = try await client.mlflow(
                .post, "runs/search", key: key,
                json:
                    #"{"experiment_ids":["\#(experimentId)"],"filter":"metrics.acc > 0","max_results":1,"order_by":["metrics.acc DESC"],"page_token":"\#(token)"}"#
            )
            let restRuns = rest["runs"] as? [[String: Any]] ?? []
            #expect((restRuns.first?["info"] as? [String: Any])?["run_id"] as? String == runIds[1])

            let experiment = try await client.call(
                .post, "/graphql", key: key,
                json: Self.body(Self.getExperiment, variables: #"{"input":{"experimentId":"\#(experimentId)"}}"#))
            let found = try #require(
                ((experiment["data"] as? [String: Any])?["mlflowGetExperiment"] as? [String: Any])?["experiment"]
                    as? [String: Any], "\(experiment.text)")
            #expect(found["experimentId"] as? String == experimentId)
            #expect(found["lifecycleStage"] as? String == "active")
            #expect(Int64(found["creationTime"] as? String ?? "") ?? 0 > 0)
            #expect(found["effectiveTraceArchivalRetention"] is NSNull)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func metricChartsGetEachRunsHistorySampledWithItsFirstAndLastPoints(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (_, runId) = try await client.makeRun(key: key)
            let points = (0..<10).map { #"{"key":"loss","value":\#($0),"timestamp":\#(100 + $0),"step":\#($0)}"# }
            _ = try await client.mlflow(
                .post, "runs/log-batch", key: key,
                json: #"{"run_id":"\#(runId)","metrics":[\#(points.joined(separator: ","))]}"#)

            let sampled = try await client.mlflow(
                .get, "metrics/get-history-bulk-interval?run_ids=\(runId)&metric_key=loss&max_results=4", key: key,
                prefix: "/ajax-api/2.0/mlflow")
            #expect(sampled.status == .ok, "\(sampled.text)")
            let metrics = sampled["metrics"] as? [[String: Any]] ?? []
            #expect(metrics.map { $0["step"] as? Int } == [0, 3, 6, 9])
            #expect(metrics.allSatisfy { $0["run_id"] as? String == runId && $0["key"] as? String == "loss" })
            #expect(metrics.last?["timestamp"] as? Int == 109)

            let window = try await client.mlflow(
                .get, "metrics/get-history-bulk-interval?run_ids=\(runId)&metric_key=loss&start_step=2&end_step=5", key: key)
            #expect((window["metrics"] as? [[String: Any]] ?? []).map { $0["step"] as? Int } == [2, 3, 4, 5])

            let graph = try await client.call(
                .post, "/graphql", key: key,
                json: Self.body(
                    Self.bulkInterval,
                    variables: #"{"data":{"runIds":["\#(runId)"],"metricKey":"loss","maxResults":4}}"#))
            let field = try #require(
                (graph["data"] as? [String: Any])?["mlflowGetMetricHistoryBulkInterval"] as? [String: Any], "\(graph.text)")
            #expect(field["__typename"] as? String == "MlflowGetMetricHistoryBulkIntervalResponse")
            #expect((field["metrics"] as? [[String: Any]] ?? []).map { $0["step"] as? String } == ["0", "3", "6", "9"])

            let refusals: [(String, String)] = [
                (
                    "run_ids=\(runId)&metric_key=loss&start_step=2",
                    "If either start step or end step are specified, both must be specified."
                ),
                (
                    "run_ids=\(runId)&metric_key=loss&start_step=5&end_step=2",
                    "end_step must be greater than start_step. Found start_step=5 and end_step=2."
                ),
                ("run_ids=\(runId)&metric_key=loss&max_results=2501", "max_results must be between 1 and 2500."),
                (
                    (0..<101).map { "run_ids=r\($0)" }.joined(separator: "&") + "&metric_key=loss",
                    "GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids."
                ),
            ]
            for (query, message) in refusals {
                let reply = try await client.mlflow(.get, "metrics/get-history-bulk-interval?\(query)", key: key)
                #expect(reply.status == .badRequest && reply.errorCode == "INVALID_PARAMETER_VALUE", "\(reply.text)")
                #expect(reply.message == message)
            }
            let unknown = try await client.mlflow(
                .get, "metrics/get-history-bulk-interval?run_ids=\(runId)&run_ids=nope&metric_key=loss", key: key)
            #expect(unknown.status == .notFound && unknown.message == "Run with id=nope not found")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func theDatasetFilterListsEachDatasetOncePerContext(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let key = app.adminKey
            let (experimentId, runId) = try await client.makeRun(key: key)
            _ = try await client.mlflow(
                .post, "runs/log-inputs", key: key,
                json:
                    #"{"run_id":"\#(runId)","datasets":[{"tags":[{"key":"mlflow.data.context","value":"eval"}],"dataset":{"name":"d1","digest":"x1","source_type":"http","source":"s"}},{"dataset":{"name":"d2","digest":"x2","source_type":"http","source":"s"}}]}"#
            )
            let rest = try await client.mlflow(
                .post, "experiments/search-datasets", key: key, json: #"{"experiment_ids":["\#(experimentId)"]}"#,
                prefix: "/ajax-api/2.0/mlflow")
            let summaries = rest["dataset_summaries"] as? [[String: Any]] ?? []
            #expect(summaries.map { $0["name"] as? String } == ["d1", "d2"], "\(rest.text)")
            #expect(summaries.first?["context"] as? String == "eval" && summaries.last?["context"] == nil)
            let none = try await client.mlflow(.post, "experiments/search-datasets", key: key, json: #"{"experiment_ids":[]}"#)
            #expect(
                none.status == .badRequest && none.message == "SearchDatasets request must specify at least one experiment_id.")

            let mutation = """
                mutation SearchDatasets($input: MlflowSearchDatasetsInput!) {
                  mlflowSearchDatasets(input: $input) { datasetSummaries { experimentId name digest context } apiError { code } }
                }
                """
            let graph = try await client.call(
                .post, "/graphql", key: key,
                json: Self.body(mutation, variables: #"{"input":{"experimentIds":["\#(experimentId)"]}}"#))
            let field = (graph["data"] as? [String: Any])?["mlflowSearchDatasets"] as? [String: Any]
            #expect((field?["datasetSummaries"] as? [[String: Any]])?.map { $0["digest"] as? String } == ["x1", "x2"])
        }
    }

    @Test func documentsThatDoNotParseValidateOrStayWithinBoundsAreRefusedBeforeRunning() async throws {
        try await TestApp.run(.sqlite) { client, app in
            func refusal(_ query: String) async throws -> (HTTPResponse.Status, [String]) {
                let reply = try await client.call(.post, "/graphql", key: app.adminKey, json: Self.body(query, variables: "{}"))
                #expect(reply["data"] is NSNull, "\(reply.text)")
                return (reply.status, reply["errors"] as? [String] ?? [])
            }
            let aliases = (0..<11).map { #"a\#($0): test(inputString: "x") { output }"# }.joined(separator: " ")
            #expect(
                try await refusal("{ \(aliases) }")
                    == (.badRequest, ["GraphQL queries should have at most 10 root fields, got 11 root fields."]))
            let nestedAliases = (0..<11).map { "o\($0): output" }.joined(separator: " ")
            #expect(
                try await refusal(#"{ test(inputString: "x") { \#(nestedAliases) } }"#)
                    == (.badRequest, ["GraphQL queries should have at most 10 aliases, got 11 aliases."]))
            let deep = String(repeating: "{ a ", count: 11) + String(repeating: "}", count: 11)
            #expect(try await refusal(deep) == (.badRequest, ["Query exceeds maximum depth of 10"]))
            let (status, syntax) = try await refusal("{ test(")
            #expect(status == .badRequest && syntax.first?.hasPrefix("Syntax Error") == true, "\(syntax)")
            let (unknownStatus, unknown) = try await refusal("{ mlflowDropEverything }")
            #expect(unknownStatus == .badRequest && unknown.first?.contains("mlflowDropEverything") == true, "\(unknown)")

            let echo = try await client.call(
                .post, "/graphql", key: app.adminKey, json: Self.body(#"{ test(inputString: "hi") { output } }"#, variables: "{}")
            )
            #expect(echo.text == #"{"data":{"test":{"output":"hi"}},"errors":null}"#)
            let noQuery = try await client.call(.post, "/graphql", key: app.adminKey, json: #"{"variables":{}}"#)
            #expect(noQuery.status == .badRequest && noQuery.errorCode == "INVALID_PARAMETER_VALUE", "\(noQuery.text)")
            #expect(noQuery.message?.contains("'query'") == true)
        }
    }

    @Test func aReadOnlyKeyMayQueryAndNoKeyMayNot() async throws {
        try await TestApp.run(.sqlite) { client, app in
            let (reader, _) = try await client.createKey(
                admin: app.adminKey, #"{"name":"reader","user_id":"someone-else","scopes":["read"]}"#)
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            let query = Self.body(Self.getRun, variables: #"{"data":{"runId":"\#(runId)"}}"#)
            let read = try await client.call(.post, "/graphql", key: reader, json: query)
            #expect(read.status == .ok && read.text.contains(runId))
            let anonymous = try await client.call(.post, "/graphql", json: query)
            #expect(anonymous.status == .unauthorized)
            #expect(!anonymous.text.contains(runId))
        }
    }
}
