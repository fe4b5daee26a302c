import HokusaiCore
import HokusaiStore
import Hummingbird
import Logging

/// The application: one router for every route, the middleware chain around it, and the services
/// whose lifetimes it owns. Used by `hokusai serve` and by the tests alike. The store must be open
/// and migrated (see `StorePreparation`); the artifact folder is created if missing.
public func buildApplication(
    configuration: AppConfiguration,
    database: any Database,
    logger: Logger,
    onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let metrics = AppMetrics()
    let recorder = WriteBehindRecorder(database: database, interval: configuration.writeBehindInterval, logger: logger)
    let authenticator = KeyAuthenticator(
        database: database,
        rateLimiter: KeyRateLimiter(),
        failureLimiter: FailedAttemptLimiter(
            maximumFailures: configuration.failedAttemptLimit, windowSeconds: configuration.failedAttemptWindowSeconds),
        recorder: recorder)

    var routes = RouteRegistrar()
    ProbesController(database: database, metrics: metrics, startedAt: .now).register(on: &routes)
    ValidateController(authenticator: authenticator).register(on: &routes)
    KeysController(service: KeyService(database: database)).register(on: &routes)
    AuditController(database: database).register(on: &routes)
    let tracking = TrackingService(database: database)
    let registry = RegistryService(database: database)
    let artifacts = try LocalArtifactStore(root: configuration.artifactsDirectory)
    MLflowAPI.register(
        ExperimentEndpoints(tracking: tracking).endpoints + RunEndpoints(tracking: tracking).endpoints
            + LoggedModelEndpoints(tracking: tracking).endpoints
            + RegistryEndpoints(registry: registry).endpoints
            + RunArtifactListEndpoint(store: artifacts, tracking: tracking).endpoints,
        on: &routes)
    let registration = RegistrationService(database: database)
    ModelOwnershipController(registry: registry).register(on: &routes)
    RegistrationController(registration: registration, registry: registry).register(on: &routes)
    EventsController(registration: registration).register(on: &routes)
    let delivery = try WebhookDeliveryService(
        database: database, configuration: configuration.webhooks, metrics: metrics, logger: logger)
    ArtifactEndpoints(store: artifacts, tracking: tracking, maximumUploadBytes: configuration.maximumUploadBytes)
        .register(on: &routes)

    let router = Router(context: HokusaiRequestContext.self)
    router.addMiddleware {
        RequestEnvelopeMiddleware(routes: routes.table, metrics: metrics, trustForwardedFor: configuration.trustForwardedFor)
        GatewayMiddleware(authenticator: authenticator)
    }
    routes.install(on: router)

    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hokusai"),
        services: [DatabaseService(database: database), recorder, delivery],
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
