import HokusaiCore
import SQLKit

extension RegistrationService {
    /// Model versions, newest change first, narrowed by model name, token and Hokusai status
    /// (the `hokusai_status` tag). A failure is an error, never an empty list.
    public func versions(name: String?, tokenId: String?, status: String?, limit: Int, offset: Int) async throws -> [ModelVersion]
    {
        var clauses: [SearchFilter.Clause] = []
        if let name { clauses.append(.init(subject: .attribute("name"), comparator: .equal, value: .string(name))) }
        if let tokenId {
            clauses.append(
                .init(subject: .tag(RegistrationTags.tokenId), comparator: .equal, value: .string(tokenId.uppercased())))
        }
        if let status {
            clauses.append(.init(subject: .tag(RegistrationTags.status), comparator: .equal, value: .string(status)))
        }
        let query = ModelVersionSearchQuery(
            SearchPage(filter: SearchFilter(clauses: clauses), orderings: [], limit: limit, offset: offset))
        return try await database.read { db in
            let repository = ModelVersionRepository()
            return try await repository.versions(try await repository.search(query, on: db), on: db)
        }
    }

    /// Every version of a model, oldest first: the model's history of benchmark results.
    public func lineage(name: String) async throws -> [ModelVersion] {
        try await database.read { db in
            guard try await RegisteredModelRepository().find(name: name, on: db) != nil else {
                throw RegistryService.modelNotFound(name)
            }
            let keys = try await db.raw("SELECT version FROM model_versions WHERE name = \(bind: name) ORDER BY version").all()
                .map {
                    ModelVersionKey(name: name, version: try $0.decode(column: "version", as: Int64.self))
                }
            return try await ModelVersionRepository().versions(keys, on: db)
        }
    }

    /// Versions carrying the `production` alias, one per model.
    public func production() async throws -> [ModelVersion] {
        try await database.read { db in
            let keys = try await db.raw(
                "SELECT name, version FROM registered_model_aliases WHERE alias = 'production' ORDER BY name"
            ).all().map {
                ModelVersionKey(
                    name: try $0.decode(column: "name", as: String.self),
                    version: try $0.decode(column: "version", as: Int64.self))
            }
            return try await ModelVersionRepository().versions(keys, on: db)
        }
    }
}
