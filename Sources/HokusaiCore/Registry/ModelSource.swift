/// A model version's `source`, parsed and confined. The reference server's history is a list of
/// sources that made it read or fetch what it should not (CVE-2023-1177, -2356, -2780, -3765,
/// -6974, CVE-2024-1483, -1558, CVE-2025-11201, CVE-2026-2614 and the 2026 SSRF campaign), so
/// only three forms are accepted, each naming artifacts this server already holds:
///
/// - `models:/m-<id>`: a logged model's artifacts;
/// - `runs:/<run_id>/<path>`: a folder inside a run's artifacts;
/// - `mlflow-artifacts:/<path>`: a folder inside the artifacts of the request's run or model.
///
/// Local paths, `file:`, `http(s):` and every other scheme are refused: the server never reads a
/// client-named file or fetches a URL. No tag changes any of this.
public enum ModelSource: Sendable, Equatable {
    case loggedModel(modelId: String)
    case run(runId: String, path: ArtifactPath)
    case artifacts(ArtifactPath)

    public static func parse(_ source: String) throws(MLflowError) -> ModelSource {
        guard !source.isEmpty else { throw .missing("source") }
        if source.unicodeScalars.contains(where: ArtifactPath.isForbidden) || source.contains("%") {
            throw refused(source, "it contains a control character, '\\', '?', '#' or '%'")
        }
        if source.hasPrefix("models:/") {
            let id = String(source.dropFirst("models:/".count)).trimmingSlashes
            guard isLoggedModelId(id) else {
                throw refused(source, "a models:/ source must name a logged model, models:/m-<32 hex digits>")
            }
            return .loggedModel(modelId: id)
        }
        if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count).split(separator: "/", omittingEmptySubsequences: true)
            guard let runId = rest.first.map(String.init), isRunId(runId) else {
                throw refused(source, "a runs:/ source must be runs:/<run_id>/<path>")
            }
            return .run(runId: runId, path: try relativePath(rest.dropFirst().joined(separator: "/"), source: source))
        }
        if source.hasPrefix("mlflow-artifacts:") {
            var rest = Substring(source.dropFirst("mlflow-artifacts:".count))
            // `mlflow-artifacts://host:port/path` names another server; this one only holds its own.
            if rest.hasPrefix("//"), !rest.hasPrefix("///") {
                throw refused(source, "an mlflow-artifacts: source must not name a host")
            }
            while rest.hasPrefix("/") { rest = rest.dropFirst() }
            return .artifacts(try relativePath(String(rest), source: source))
        }
        if let colon = source.firstIndex(of: ":"),
            source[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }),
            !source[..<colon].isEmpty
        {
            let scheme = source[..<colon].lowercased()
            throw refused(source, "'source' cannot use the '\(scheme)' scheme; this server never reads or fetches it")
        }
        throw refused(
            source,
            "local paths are not accepted; register a model logged to this server (models:/m-…, runs:/<run_id>/<path> or mlflow-artifacts:/…)"
        )
    }

    /// Collapses empty segments (`a///b` is `a/b`, as the reference accepts it) and refuses `.` and `..`.
    static func relativePath(_ text: String, source: String) throws(MLflowError) -> ArtifactPath {
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw refused(source, "it must not contain '.' or '..' path segments")
        }
        guard text.utf8.count <= ArtifactPath.maximumBytes else { throw refused(source, "it is too long") }
        return ArtifactPath(unchecked: parts)
    }

    public static func refused(_ source: String, _ reason: String) -> MLflowError {
        .invalid("Invalid model version source '\(source.prefix(300))': \(reason).")
    }

    public static func isLoggedModelId(_ id: String) -> Bool {
        id.hasPrefix("m-") && id.count == 34 && id.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// MLflow's run id rule, `^[a-zA-Z0-9][\w\-]{0,255}$`.
    public static func isRunId(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 256, first.isASCII,
            first.properties.isAlphabetic || first.properties.numericType != nil
        else { return false }
        return id.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
    }
}

extension String {
    var trimmingSlashes: String {
        var text = Substring(self)
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
