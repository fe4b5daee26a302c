import Foundation
import HokusaiCore
import SQLKit

/// A registration as recorded: the model version, the event queued for it, and whether this
/// request was a replay of one already recorded (which changes nothing).
public struct RegistrationOutcome: Sendable {
    public let version: ModelVersion
    public let event: OutboxEvent
    public let replayed: Bool
    /// A dry run: everything was checked and written, then rolled back; nothing is queued.
    public var dryRun = false
}

/// Thrown at the end of a dry run's transaction so the store rolls every write back.
struct DryRunRollback: Error {
    let outcome: RegistrationOutcome
}

/// The Hokusai registration API on the store: linking model versions to tokens with their
/// benchmark, and queuing the `model_registered` event in the same transaction, so a registration
/// is never answered without its event, nor its event sent without the registration.
public struct RegistrationService: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// `tokenized-registration-events`: the version exists; tag it and queue its event.
    public func recordTokenizedEvent(_ claim: RegistrationClaim, actor: TrackingActor) async throws -> RegistrationOutcome {
        let number = try RegistryRules.version(claim.version ?? "")
        return try await Self.rollingBackDryRun(claim, database) { db in
            let model = try await Self.ownedModel(claim.modelName, actor: actor, on: db)
            guard
                let version = try await ModelVersionRepository().find(ModelVersionKey(name: model.name, version: number), on: db)
            else { throw RegistryService.versionNotFound(model.name, number) }
            return try await Self.link(version, claim: claim, actor: actor, on: db)
        }
    }

    /// `/api/models/register`: creates the registered model when needed (owned by the caller) and
    /// a version from `model_uri`, tags it and queues its event, all in one transaction.
    public func register(_ claim: RegistrationClaim, actor: TrackingActor) async throws -> RegistrationOutcome {
        let request = RegistryService.NewVersion(
            name: claim.modelName, source: claim.modelURI ?? "", runId: nil, modelId: nil, runLink: nil,
            description: "Token: \(claim.tokenId), Metric: \(claim.benchmark.metricName)", tags: [])
        let source: ModelSource
        do {
            source = try RegistryService.validate(request)
        } catch {
            throw FieldProblems([FieldProblem("model_uri", error.message)])
        }
        return try await Self.rollingBackDryRun(claim, database) { db in
            let models = RegisteredModelRepository()
            if try await models.find(name: claim.modelName, on: db) == nil {
                let now = Timestamp.nowMillis()
                try await models.insert(
                    RegisteredModel(
                        name: claim.modelName, creationTime: now, lastUpdatedTime: now,
                        description: "Hokusai tokenized model: \(claim.tokenId)", ownerUserId: actor.userId),
                    on: db)
            }
            _ = try await Self.ownedModel(claim.modelName, actor: actor, on: db)
            let version: ModelVersion
            do {
                version = try await RegistryService.insertVersion(request, source: source, actor: actor, on: db)
            } catch let error as MLflowError where error.code == .invalidParameterValue {
                throw FieldProblems([FieldProblem("model_uri", error.message)])
            }
            return try await Self.link(version, claim: claim, actor: actor, on: db)
        }
    }

    /// Runs `body` in one transaction; for a dry run, the transaction is rolled back after the
    /// last write, so the answer is exactly what a real registration would have been.
    static func rollingBackDryRun(
        _ claim: RegistrationClaim, _ database: any Database,
        _ body: @escaping @Sendable (any SQLDatabase) async throws -> RegistrationOutcome
    ) async throws -> RegistrationOutcome {
        do {
            return try await database.transaction { db in
                let outcome = try await body(db)
                if claim.dryRun { throw DryRunRollback(outcome: outcome) }
                return outcome
            }
        } catch let rollback as DryRunRollback {
            var outcome = rollback.outcome
            outcome.dryRun = true
            return outcome
        }
    }

    /// Writes the registration tags on the version (and the rich-metadata tags on the run, when
    /// the actor owns it) and queues the event; a replay finds its event and changes nothing.
    static func link(
        _ version: ModelVersion, claim: RegistrationClaim, actor: TrackingActor, on db: any SQLDatabase
    ) async throws -> RegistrationOutcome {
        let number = String(version.version)
        let event = ModelRegisteredEvent(claim: claim, version: number, userId: actor.userId, at: Date())
        let events = EventRepository()
        if let existing = try await events.find(idempotencyKey: event.idempotencyKey, on: db) {
            return RegistrationOutcome(version: version, event: existing, replayed: true)
        }
        let now = Timestamp.nowMillis()
        let outbox = OutboxEvent(
            eventId: RandomIdentifier.make(prefix: "evt_"), idempotencyKey: event.idempotencyKey, eventType: "model_registered",
            modelName: version.name, version: version.version, tokenId: claim.tokenId, userId: actor.userId,
            payload: String(decoding: event.body, as: UTF8.self), state: .queued, attempts: 0, nextAttemptAt: now,
            createdAt: now)
        let key = ModelVersionKey(name: version.name, version: version.version)
        let versions = ModelVersionRepository()
        for tag in RegistrationTags.versionTags(claim, eventId: outbox.eventId) {
            try await versions.setTag(key, tag, on: db)
        }
        if let runId = claim.mlflowRunId, let run = try await RunRepository().find(runId: runId, on: db),
            actor.mayChange(ownedBy: run.ownerUserId)
        {
            let runTags = RegistrationTags.versionTags(claim, eventId: outbox.eventId).filter { $0.key.hasPrefix("hokusai.") }
            try await RunRepository().setTags(runId: runId, runTags, on: db)
        }
        try await events.insert(outbox, on: db)
        let tagged = try await versions.find(key, on: db) ?? version
        return RegistrationOutcome(version: tagged, event: outbox, replayed: false)
    }

    static func ownedModel(_ name: String, actor: TrackingActor, on db: any SQLDatabase) async throws -> RegisteredModel {
        guard let model = try await RegisteredModelRepository().find(name: name, on: db) else {
            throw RegistryService.modelNotFound(name)
        }
        try actor.requireOwnership(of: "Registered model '\(name)'", ownedBy: model.ownerUserId)
        return model
    }
}
