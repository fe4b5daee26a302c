import Testing

@testable import HokusaiCore

@Suite struct MLflowProxyRulesTests {
    @Test func everyClientPrefixMapsToTheUpstreamsOwnPath() {
        for raw in [
            "/api/mlflow/api/2.0/mlflow/runs/create", "/mlflow/api/2.0/mlflow/runs/create", "/api/2.0/mlflow/runs/create",
        ] {
            #expect(
                MLflowProxyRules.upstreamPath(for: raw, useAjaxAPI: false, upstreamPrefix: "") == "/api/2.0/mlflow/runs/create")
        }
        #expect(
            MLflowProxyRules.upstreamPath(
                for: "/api/mlflow/ajax-api/2.0/mlflow/runs/get", useAjaxAPI: false, upstreamPrefix: "/mlflow")
                == "/mlflow/ajax-api/2.0/mlflow/runs/get")
        #expect(
            MLflowProxyRules.upstreamPath(
                for: "/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/a%20b.txt", useAjaxAPI: true, upstreamPrefix: "/")
                == "/ajax-api/2.0/mlflow-artifacts/artifacts/1/a%20b.txt")
        #expect(MLflowProxyRules.upstreamPath(for: "/api/v1/keys", useAjaxAPI: false, upstreamPrefix: "") == nil)
    }

    @Test func readsAndWritesAreToldApartDefaultingToWrite() {
        #expect(MLflowProxyRules.requiredScope(method: "GET", path: "/api/2.0/mlflow/runs/get") == .read)
        #expect(MLflowProxyRules.requiredScope(method: "POST", path: "/api/2.0/mlflow/runs/search") == .read)
        #expect(
            MLflowProxyRules.requiredScope(method: "POST", path: "/api/2.0/mlflow/registered-models/get-latest-versions") == .read
        )
        #expect(MLflowProxyRules.requiredScope(method: "POST", path: "/api/2.0/mlflow/runs/create") == .write)
        #expect(MLflowProxyRules.requiredScope(method: "PUT", path: "/api/2.0/mlflow-artifacts/artifacts/x") == .write)
        #expect(MLflowProxyRules.requiredScope(method: "DELETE", path: "/api/2.0/mlflow/registered-models/alias") == .write)
        #expect(MLflowProxyRules.requiredScope(method: "PROPFIND", path: "/api/2.0/mlflow/x") == .write)
    }
}
