import HokusaiCore
import HokusaiStore

/// `registered-models/*` and `model-versions/*`: the MLflow model registry.
struct RegistryEndpoints {
    let registry: RegistryService

    var endpoints: [MLflowEndpoint] {
        [
            MLflowEndpoint(method: .post, path: "registered-models/create", scope: .write, handler: createModel),
            MLflowEndpoint(method: .get, path: "registered-models/get", scope: .read, handler: getModel),
            MLflowEndpoint(method: .get, path: "registered-models/search", scope: .read, handler: searchModels),
            MLflowEndpoint(method: .post, path: "registered-models/search", scope: .read, handler: searchModels),
            MLflowEndpoint(method: .patch, path: "registered-models/update", scope: .write, handler: updateModel),
            MLflowEndpoint(method: .post, path: "registered-models/rename", scope: .write, handler: renameModel),
            MLflowEndpoint(method: .delete, path: "registered-models/delete", scope: .write, handler: deleteModel),
            MLflowEndpoint(method: .post, path: "registered-models/set-tag", scope: .write, handler: setModelTag),
            MLflowEndpoint(method: .delete, path: "registered-models/delete-tag", scope: .write, handler: deleteModelTag),
            MLflowEndpoint(method: .post, path: "registered-models/get-latest-versions", scope: .read, handler: latestVersions),
            MLflowEndpoint(method: .get, path: "registered-models/get-latest-versions", scope: .read, handler: latestVersions),
            MLflowEndpoint(method: .post, path: "registered-models/alias", scope: .write, handler: setAlias),
            MLflowEndpoint(method: .get, path: "registered-models/alias", scope: .read, handler: getByAlias),
            MLflowEndpoint(method: .delete, path: "registered-models/alias", scope: .write, handler: deleteAlias),
            MLflowEndpoint(method: .post, path: "model-versions/create", scope: .write, handler: createVersion),
            MLflowEndpoint(method: .get, path: "model-versions/get", scope: .read, handler: getVersion),
            MLflowEndpoint(method: .patch, path: "model-versions/update", scope: .write, handler: updateVersion),
            MLflowEndpoint(method: .delete, path: "model-versions/delete", scope: .write, handler: deleteVersion),
            MLflowEndpoint(method: .get, path: "model-versions/search", scope: .read, handler: searchVersions),
            MLflowEndpoint(method: .post, path: "model-versions/search", scope: .read, handler: searchVersions),
            MLflowEndpoint(method: .post, path: "model-versions/set-tag", scope: .write, handler: setVersionTag),
            MLflowEndpoint(method: .delete, path: "model-versions/delete-tag", scope: .write, handler: deleteVersionTag),
            MLflowEndpoint(method: .post, path: "model-versions/transition-stage", scope: .write, handler: transition),
            MLflowEndpoint(method: .get, path: "model-versions/get-download-uri", scope: .read, handler: downloadURI),
        ]
    }

    // MARK: Registered models

    @Sendable func createModel(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let model = try await registry.createRegisteredModel(
            name: try p.string("name") ?? "", description: try p.string("description"), tags: try p.keyValues("tags"),
            actor: call.actor)
        return .object([("registered_model", MLflowJSON.registeredModel(model))])
    }

    @Sendable func getModel(_ call: MLflowCall) async throws -> JSONValue {
        let model = try await registry.registeredModel(name: try call.parameters.requiredString("name"))
        return .object([("registered_model", MLflowJSON.registeredModel(model))])
    }

    @Sendable func searchModels(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let result = try await registry.searchRegisteredModels(
            filter: try p.string("filter"), orderBy: try p.strings("order_by"), maxResults: try p.int("max_results"),
            pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = [("registered_models", .array(result.models.map(MLflowJSON.registeredModel)))]
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    @Sendable func updateModel(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let model = try await registry.updateRegisteredModel(
            name: try p.requiredString("name"), description: try p.string("description"), actor: call.actor)
        return .object([("registered_model", MLflowJSON.registeredModel(model))])
    }

    @Sendable func renameModel(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let model = try await registry.renameRegisteredModel(
            name: try p.requiredString("name"), to: try p.requiredString("new_name"), actor: call.actor)
        return .object([("registered_model", MLflowJSON.registeredModel(model))])
    }

    @Sendable func deleteModel(_ call: MLflowCall) async throws -> JSONValue {
        try await registry.deleteRegisteredModel(name: try call.parameters.requiredString("name"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func setModelTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.setRegisteredModelTag(
            name: try p.requiredString("name"), KeyValue(key: try p.requiredString("key"), value: try p.string("value") ?? ""),
            actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func deleteModelTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.deleteRegisteredModelTag(
            name: try p.requiredString("name"), key: try p.requiredString("key"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func latestVersions(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let versions = try await registry.latestVersions(name: try p.requiredString("name"), stages: try p.strings("stages"))
        return .object([("model_versions", .array(versions.map(MLflowJSON.modelVersion)))])
    }

    @Sendable func setAlias(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.setAlias(
            name: try p.requiredString("name"), alias: try p.string("alias") ?? "", version: try Self.version(p),
            actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func getByAlias(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let version = try await registry.versionByAlias(name: try p.requiredString("name"), alias: try p.requiredString("alias"))
        return .object([("model_version", MLflowJSON.modelVersion(version))])
    }

    @Sendable func deleteAlias(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.deleteAlias(name: try p.requiredString("name"), alias: try p.string("alias") ?? "", actor: call.actor)
        return MLflowJSON.empty
    }

    // MARK: Model versions

    @Sendable func createVersion(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let version = try await registry.createModelVersion(
            RegistryService.NewVersion(
                name: try p.requiredString("name"), source: try p.requiredString("source"), runId: try p.string("run_id"),
                modelId: try p.string("model_id"), runLink: try p.string("run_link"), description: try p.string("description"),
                tags: try p.keyValues("tags")),
            actor: call.actor)
        return .object([("model_version", MLflowJSON.modelVersion(version))])
    }

    @Sendable func getVersion(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let version = try await registry.modelVersion(name: try p.requiredString("name"), version: try Self.version(p))
        return .object([("model_version", MLflowJSON.modelVersion(version))])
    }

    @Sendable func updateVersion(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let version = try await registry.updateModelVersion(
            name: try p.requiredString("name"), version: try Self.version(p), description: try p.string("description"),
            actor: call.actor)
        return .object([("model_version", MLflowJSON.modelVersion(version))])
    }

    @Sendable func deleteVersion(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.deleteModelVersion(name: try p.requiredString("name"), version: try Self.version(p), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func searchVersions(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let result = try await registry.searchModelVersions(
            filter: try p.string("filter"), orderBy: try p.strings("order_by"), maxResults: try p.int("max_results"),
            pageToken: try p.string("page_token"))
        var fields: [(String, JSONValue)] = [("model_versions", .array(result.versions.map(MLflowJSON.modelVersion)))]
        if let next = result.nextPageToken { fields.append(("next_page_token", .string(next))) }
        return .object(fields)
    }

    @Sendable func setVersionTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.setModelVersionTag(
            name: try p.requiredString("name"), version: try Self.version(p),
            KeyValue(key: try p.requiredString("key"), value: try p.string("value") ?? ""), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func deleteVersionTag(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        try await registry.deleteModelVersionTag(
            name: try p.requiredString("name"), version: try Self.version(p), key: try p.requiredString("key"), actor: call.actor)
        return MLflowJSON.empty
    }

    @Sendable func transition(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let version = try await registry.transitionStage(
            name: try p.requiredString("name"), version: try Self.version(p), stage: try p.requiredString("stage"),
            archiveExisting: try p.bool("archive_existing_versions") ?? false, actor: call.actor)
        return .object([("model_version", MLflowJSON.modelVersion(version))])
    }

    @Sendable func downloadURI(_ call: MLflowCall) async throws -> JSONValue {
        let p = call.parameters
        let uri = try await registry.downloadURI(name: try p.requiredString("name"), version: try Self.version(p))
        return .object([("artifact_uri", .string(uri))])
    }

    /// `version` as the client sends it (a string), or as a number.
    static func version(_ p: MLflowParameters) throws(MLflowError) -> String {
        switch p.raw("version") {
        case nil: throw .missing("version")
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case let other?: throw MLflowParameters.invalid(other, "version")
        }
    }
}
