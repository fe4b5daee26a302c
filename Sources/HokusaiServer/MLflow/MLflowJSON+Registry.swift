import HokusaiCore

extension MLflowJSON {
    static func registeredModel(_ model: RegisteredModel) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("name", .string(model.name)),
            ("creation_timestamp", .int64(model.creationTime)),
            ("last_updated_timestamp", .int64(model.lastUpdatedTime)),
        ]
        if !model.description.isEmpty { fields.append(("description", .string(model.description))) }
        if let owner = model.ownerUserId { fields.append(("user_id", .string(owner))) }
        if !model.latestVersions.isEmpty { fields.append(("latest_versions", .array(model.latestVersions.map(modelVersion)))) }
        if !model.tags.isEmpty { fields.append(("tags", keyValues(model.tags))) }
        if !model.aliases.isEmpty {
            let aliases = model.aliases.map {
                JSONValue.object([("alias", .string($0.alias)), ("version", .string(String($0.version)))])
            }
            fields.append(("aliases", .array(aliases)))
        }
        return .object(fields)
    }

    static func modelVersion(_ version: ModelVersion) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("name", .string(version.name)),
            ("version", .string(String(version.version))),
            ("creation_timestamp", .int64(version.creationTime)),
            ("last_updated_timestamp", .int64(version.lastUpdatedTime)),
            ("user_id", .string(version.userId)),
            ("current_stage", .string(version.stage.rawValue)),
            ("description", .string(version.description)),
            ("source", .string(version.source)),
            ("run_id", .string(version.runId ?? "")),
            ("status", .string("READY")),
            ("run_link", .string(version.runLink ?? "")),
        ]
        if let modelId = version.modelId { fields.append(("model_id", .string(modelId))) }
        if !version.tags.isEmpty { fields.append(("tags", keyValues(version.tags))) }
        if !version.aliases.isEmpty { fields.append(("aliases", .array(version.aliases.map { .string($0) }))) }
        return .object(fields)
    }
}
