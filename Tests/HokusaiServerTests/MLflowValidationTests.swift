import Foundation
import HTTPTypes
import HokusaiCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The tracking rows of the contract's validation table (section 4): same status, code and message
/// as the reference server.
@Suite struct MLflowValidationTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let path: String
        let body: @Sendable (String) -> String
        let status: Int
        let message: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "same param twice", path: "runs/log-parameter", body: { #"{"run_id":"\#($0)","key":"fixed","value":"1"}"# },
            status: 200, message: nil),
        Row(
            name: "changed param", path: "runs/log-parameter", body: { #"{"run_id":"\#($0)","key":"fixed","value":"2"}"# },
            status: 400,
            message:
                "Changing param values is not allowed. Param with key='fixed' was already logged with value='1' for run ID='RUN'. Attempted logging new value '2'."
        ),
        Row(
            name: "changed param in a batch", path: "runs/log-batch",
            body: { #"{"run_id":"\#($0)","params":[{"key":"fixed","value":"999"},{"key":"new","value":"1"}]}"# }, status: 400,
            message:
                "Changing param values is not allowed. Params were already logged='[{'key': 'fixed', 'old_value': '1', 'new_value': '999'}]' for run ID='RUN'."
        ),
        Row(
            name: "duplicate batch params", path: "runs/log-batch",
            body: { #"{"run_id":"\#($0)","params":[{"key":"d","value":"1"},{"key":"d","value":"2"}]}"# }, status: 400,
            message:
                "Duplicate parameter keys have been submitted: ['d']. Please ensure the request contains only one param value per param key."
        ),
        Row(name: "empty batch", path: "runs/log-batch", body: { #"{"run_id":"\#($0)"}"# }, status: 200, message: nil),
        Row(
            name: "key too long", path: "runs/log-parameter",
            body: { #"{"run_id":"\#($0)","key":"\#(String(repeating: "k", count: 251))","value":"1"}"# }, status: 400,
            message: "'Param key' exceeds the maximum length of 250 characters"),
        Row(
            name: "unicode key", path: "runs/log-parameter", body: { #"{"run_id":"\#($0)","key":"café","value":"1"}"# },
            status: 200, message: nil),
        Row(
            name: "missing key", path: "runs/log-parameter", body: { #"{"run_id":"\#($0)","value":"1"}"# }, status: 400,
            message: "Missing value for required parameter 'key'. See the API docs for more information about request parameters."
        ),
        Row(
            name: "missing param value", path: "runs/log-parameter", body: { #"{"run_id":"\#($0)","key":"nov"}"# }, status: 200,
            message: nil),
        Row(
            name: "metric value abc", path: "runs/log-metric",
            body: { #"{"run_id":"\#($0)","key":"m","value":"abc","timestamp":1}"# },
            status: 400, message: "Invalid value \"abc\" for parameter 'value' supplied"),
        Row(
            name: "missing metric value", path: "runs/log-metric", body: { #"{"run_id":"\#($0)","key":"m","timestamp":1}"# },
            status: 400,
            message:
                "Missing value for required parameter 'value'. See the API docs for more information about request parameters."),
        Row(
            name: "missing timestamp", path: "runs/log-metric", body: { #"{"run_id":"\#($0)","key":"m","value":1}"# },
            status: 400,
            message:
                "Missing value for required parameter 'timestamp'. See the API docs for more information about request parameters."
        ),
        Row(
            name: "missing batch timestamp", path: "runs/log-batch",
            body: { #"{"run_id":"\#($0)","metrics":[{"key":"m","value":1}]}"# },
            status: 400,
            message:
                "Missing value for required parameter 'metrics[0].timestamp'. See the API docs for more information about request parameters."
        ),
        Row(
            name: "missing step", path: "runs/log-metric", body: { #"{"run_id":"\#($0)","key":"m","value":1,"timestamp":1}"# },
            status: 200, message: nil),
        Row(
            name: "negative timestamp", path: "runs/log-metric",
            body: { #"{"run_id":"\#($0)","key":"m","value":1,"timestamp":-5}"# },
            status: 400,
            message: "Invalid value -5 for parameter 'timestamp' supplied. Timestamp must be a nonnegative long (64-bit integer)"),
        Row(
            name: "negative step", path: "runs/log-metric",
            body: { #"{"run_id":"\#($0)","key":"m","value":1,"timestamp":1,"step":-3}"# }, status: 200, message: nil),
        Row(
            name: "fractional step", path: "runs/log-metric",
            body: { #"{"run_id":"\#($0)","key":"m","value":1,"timestamp":1,"step":1.5}"# }, status: 200, message: nil),
        Row(
            name: "large int64 as string", path: "runs/log-metric",
            body: { #"{"run_id":"\#($0)","key":"m","value":1,"timestamp":"9007199254740992","step":"1099511627776"}"# },
            status: 200, message: nil),
        Row(
            name: "numeric run id", path: "runs/log-metric", body: { _ in #"{"run_id":31,"key":"m","value":1,"timestamp":1}"# },
            status: 400, message: "Invalid value 31 for parameter 'run_id' supplied"),
        Row(
            name: "numeric key", path: "runs/log-metric", body: { #"{"run_id":"\#($0)","key":31,"value":1,"timestamp":1}"# },
            status: 400, message: "Invalid value 31 for parameter 'key' supplied"),
        Row(
            name: "numeric tag value", path: "runs/set-tag", body: { #"{"run_id":"\#($0)","key":"t","value":41}"# }, status: 400,
            message: "Invalid value 41 for parameter 'value' supplied"),
        Row(
            name: "metrics not a list", path: "runs/log-batch", body: { #"{"run_id":"\#($0)","metrics":"foo"}"# }, status: 400,
            message: "Invalid value \"foo\" for parameter 'metrics' supplied"),
        Row(
            name: "bad key characters", path: "runs/set-tag", body: { #"{"run_id":"\#($0)","key":"a#b","value":"1"}"# },
            status: 400,
            message:
                "Invalid tag name: 'a#b'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
        ),
        Row(
            name: "key escaping as a path", path: "runs/set-tag", body: { #"{"run_id":"\#($0)","key":"../x","value":"1"}"# },
            status: 400, message: nil),
        Row(name: "malformed JSON", path: "runs/log-metric", body: { _ in "{" }, status: 400, message: nil),
        Row(
            name: "array body", path: "runs/log-metric", body: { _ in "[1]" }, status: 400,
            message: "The request body must be a JSON object"),
    ]

    @Test(arguments: TestStoreKind.available)
    func everyRowGivesTheReferenceAnswer(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            for row in Self.rows {
                let reply = try await client.mlflow(.post, row.path, key: app.adminKey, json: row.body(runId))
                #expect(Int(reply.status.code) == row.status, "\(row.name): \(reply.text)")
                if row.status == 400 { #expect(reply.errorCode == "INVALID_PARAMETER_VALUE", "\(row.name)") }
                if let message = row.message {
                    #expect(reply.message == message.replacingOccurrences(of: "RUN", with: runId), "\(row.name)")
                }
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func batchLimitsAreEnforcedWithTheirMessages(kind: TestStoreKind) async throws {
        try await TestApp.run(kind) { client, app in
            let (_, runId) = try await client.makeRun(key: app.adminKey)
            func metrics(_ count: Int) -> String {
                (0..<count).map { #"{"key":"m\#($0 % 7)","value":\#($0),"timestamp":1,"step":\#($0)}"# }.joined(separator: ",")
            }
            func pairs(_ count: Int) -> String { (0..<count).map { #"{"key":"k\#($0)","value":"v"}"# }.joined(separator: ",") }
            let ok = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey, json: #"{"run_id":"\#(runId)","metrics":[\#(metrics(1000))]}"#)
            #expect(ok.status == .ok)
            let overMetrics = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey, json: #"{"run_id":"\#(runId)","metrics":[\#(metrics(1001))]}"#)
            #expect(overMetrics.status == .badRequest)
            #expect(
                overMetrics.message?.hasPrefix("A batch logging request can contain at most 1000 metrics. Got 1001 metrics.")
                    == true)
            let overParams = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey, json: #"{"run_id":"\#(runId)","params":[\#(pairs(101))]}"#)
            #expect(
                overParams.message?.hasPrefix("A batch logging request can contain at most 100 params. Got 101 params.") == true)
            let overTotal = try await client.mlflow(
                .post, "runs/log-batch", key: app.adminKey,
                json:
                    #"{"run_id":"\#(runId)","metrics":[\#(metrics(900))],"params":[\#(pairs(100))],"tags":[{"key":"t","value":"v"}]}"#
            )
            #expect(
                overTotal.message?.hasPrefix(
                    "A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001") == true)
            let long = String(repeating: "v", count: 6001)
            _ = try await client.mlflow(
                .post, "runs/log-parameter", key: app.adminKey, json: #"{"run_id":"\#(runId)","key":"long","value":"\#(long)"}"#)
            let run = try #require(
                try await client.mlflow(.get, "runs/get?run_id=\(runId)", key: app.adminKey)["run"] as? [String: Any])
            let params = ((run["data"] as? [String: Any])?["params"] as? [[String: Any]]) ?? []
            #expect((params.first { $0["key"] as? String == "long" }?["value"] as? String)?.count == 6000)
        }
    }
}
