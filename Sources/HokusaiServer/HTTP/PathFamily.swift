/// Which error format a path answers in. MLflow clients parse `{"error_code","message"}`;
/// everything else gets the Hokusai `{"detail","error","request_id"}` shape.
enum PathFamily {
    case mlflow
    case hokusai

    /// Every prefix under which the MLflow API and artifact service are (or will be) mounted.
    static let mlflowPrefixes = [
        "/api/mlflow/", "/mlflow/", "/api/2.0/mlflow", "/ajax-api/2.0/mlflow", "/api/3.0/mlflow", "/ajax-api/3.0/mlflow",
    ]

    /// MLflow's routes at the root, where the UI served at `/` calls them.
    static let mlflowRootPaths: Set<String> = [
        "/api/mlflow", "/mlflow", "/graphql", "/get-artifact", "/model-versions/get-artifact",
    ]

    static func of(path: String) -> PathFamily {
        if mlflowRootPaths.contains(path) { return .mlflow }
        return mlflowPrefixes.contains { path.hasPrefix($0) } ? .mlflow : .hokusai
    }
}
