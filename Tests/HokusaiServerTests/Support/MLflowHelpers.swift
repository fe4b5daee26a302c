import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// Calls an MLflow endpoint under the canonical `/api/mlflow` prefix.
    @discardableResult
    func mlflow(
        _ method: HTTPRequest.Method, _ path: String, key: String, json: String? = nil,
        prefix: String = "/api/mlflow/api/2.0/mlflow"
    ) async throws -> JSONReply {
        try await call(method, "\(prefix)/\(path)", key: key, json: json)
    }

    /// Creates an experiment and a run in it; returns (experiment id, run id).
    func makeRun(key: String, experiment: String = "exp-\(UUID().uuidString.prefix(8))") async throws -> (String, String) {
        let created = try await mlflow(.post, "experiments/create", key: key, json: #"{"name":"\#(experiment)"}"#)
        let experimentId = try #require(created.string("experiment_id"), "\(created.text)")
        let run = try await mlflow(.post, "runs/create", key: key, json: #"{"experiment_id":"\#(experimentId)","start_time":1}"#)
        let info = try #require((run["run"] as? [String: Any])?["info"] as? [String: Any], "\(run.text)")
        return (experimentId, try #require(info["run_id"] as? String))
    }
}

extension JSONReply {
    var errorCode: String? { string("error_code") }
    var message: String? { string("message") }
}
