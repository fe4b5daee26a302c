import HokusaiCore
import HokusaiStore
import Hummingbird
import Logging
import ServiceLifecycle

/// The application: one router for every route the process's role serves, the middleware chain
/// around it, and the services whose lifetimes it owns. Used by `hokusai serve` and by the tests
/// alike. The store must be open and migrated (see `StorePreparation`); the artifact folder is
/// created if missing.
public func buildApplication(
    configuration: AppConfiguration,
    database: any Database,
    logger: Logger,
    onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
    inspectRoutes: (RouteTable) -> Void = { _ in }
) throws -> some ApplicationProtocol {
    let metrics = AppMetrics()
    let recorder = WriteBehindRecorder(database: database, interval: configuration.writeBehindInterval, logger: logger)
    var services: [any Service] = [DatabaseService(database: database), recorder]

    let source: KeySource
    var remote: RemoteKeyValidator?
    if let remoteAuth = configuration.remoteAuth {
        let validator = RemoteKeyValidator(configuration: remoteAuth, metrics: metrics, logger: logger)
        source = .remote(validator)
        remote = validator
        services.append(validator)
    } else if configuration.role == .gateway && configuration.mlflowUpstream == nil {
        throw ConfigurationError(description: "a gateway needs the auth service's URL (--auth-url)")
    } else {
        source = .store(database)
    }
    // Replicas on one PostgreSQL store share each key's hourly limit; SQLite has one process.
    let rateLimiter: any RateLimiting =
        if case .store = source, database.kind == .postgresql, configuration.sharedRateLimits {
            SharedRateLimiter(database: database, logger: logger)
        } else {
            KeyRateLimiter()
        }
    let authenticator = KeyAuthenticator(
        source: source,
        rateLimiter: rateLimiter,
        failureLimiter: FailedAttemptLimiter(
            maximumFailures: configuration.failedAttemptLimit, windowSeconds: configuration.failedAttemptWindowSeconds),
        recorder: recorder, cache: KeyRecordCache(lifetimeMillis: configuration.keyCacheMillis))
    var keyChanges: KeyChangeStatus?
    if case .store = source, let feed = database as? any KeyChangeFeed {
        let status = KeyChangeStatus()
        keyChanges = status
        services.append(KeyChangeListener(feed: feed, cache: authenticator.cache, status: status, logger: logger))
    }

    var routes = RouteRegistrar()
    var upstream: MLflowUpstream?
    if let upstreamConfiguration = configuration.mlflowUpstream, configuration.role != .auth {
        upstream = MLflowUpstream(configuration: upstreamConfiguration, logger: logger)
    }
    // The artifact store of a process that serves the registry itself.
    var artifacts: ArtifactStoreSetup?
    if upstream == nil, configuration.role != .auth {
        artifacts = try makeArtifactStore(configuration, metrics: metrics, logger: logger)
        if let client = artifacts?.s3Client { services.append(client) }
    }
    ProbesController(
        database: database, metrics: metrics, startedAt: .now, remoteAuth: remote, upstream: upstream,
        artifactBucket: artifacts?.bucketHealth, keyChanges: keyChanges, keyCacheMillis: configuration.keyCacheMillis
    ).register(on: &routes)
    if remote == nil {
        // Keys live in this process's store: it serves the key service.
        registerKeyService(on: &routes, database: database, authenticator: authenticator)
    } else {
        // A gateway has no key service; `validate` stays open so a client (or `hokusai doctor`)
        // asking here learns that, rather than being asked for the key it wants validated.
        routes.open(.post, "/api/v1/keys/validate") { _, _ in
            throw APIError.notFound("This gateway has no key service: keys are validated by its auth service")
        }
    }
    if let upstream {
        upstream.register(on: &routes)
        services.append(upstream)
    } else if let artifacts {
        try registerRegistry(on: &routes, database: database, configuration: configuration, artifacts: artifacts.store)
        services.append(
            try WebhookDeliveryService(
                database: database, configuration: configuration.webhooks, metrics: metrics, logger: logger))
    }

    var browsers = BrowserAccess()
    if configuration.role != .auth {
        if case .store = source {
            browsers.sessions = BrowserSessions(database: database, lifetimeSeconds: configuration.browserSessionSeconds)
            ConsoleController(keys: KeyService(database: database)).register(on: &routes)
        }
        SignInController(
            authenticator: authenticator, sessions: browsers.sessions, clientAddressRule: configuration.clientAddressRule
        ).register(on: &routes)
        MLflowAPI.register(CurrentUserEndpoint().endpoints, on: &routes)
        if let directory = configuration.mlflowUIDirectory {
            let files = try MLflowUIFiles(directory: directory)
            browsers.files = files
            MLflowUIController(files: files).register(on: &routes)
        }
    }

    OpenAPIRoute.register(on: &routes)
    inspectRoutes(routes.table)
    browsers.pagePaths = routes.table.pagePaths
    browsers.assetPrefixes = routes.table.assetPrefixes
    let router = Router(context: HokusaiRequestContext.self)
    router.addMiddleware {
        RequestEnvelopeMiddleware(routes: routes.table, metrics: metrics, clientAddressRule: configuration.clientAddressRule)
        QueryTextMiddleware()
        GatewayMiddleware(
            openPaths: routes.table.openPaths, authenticator: authenticator,
            degradedWrites: configuration.remoteAuth?.degradedWrites ?? true, browsers: browsers)
    }
    routes.install(on: router)

    return Application(
        router: router,
        server: .http1OnEventLoops(
            idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)),
            headTimeout: .seconds(Int64(configuration.requestHeadTimeoutSeconds)),
            gate: ConnectionGate(
                limits: .init(total: configuration.maximumConnections, perAddress: configuration.maximumConnectionsPerAddress),
                metrics: metrics, logger: logger),
            metrics: metrics),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hokusai"),
        services: services,
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// The key service: validation, key management and the audit log (roles `all` and `auth`).
func registerKeyService(on routes: inout RouteRegistrar, database: any Database, authenticator: KeyAuthenticator) {
    ValidateController(authenticator: authenticator).register(on: &routes)
    KeysController(service: KeyService(database: database), cache: authenticator.cache).register(on: &routes)
    AuditController(database: database).register(on: &routes)
}

/// The MLflow API, artifacts, the registry and the Hokusai registration API (roles `all` and `gateway`).
func registerRegistry(
    on routes: inout RouteRegistrar, database: any Database, configuration: AppConfiguration, artifacts: any ArtifactStore
) throws {
    let tracking = TrackingService(database: database)
    let registry = RegistryService(database: database)
    let registration = RegistrationService(database: database)
    MLflowAPI.register(
        ExperimentEndpoints(tracking: tracking).endpoints + RunEndpoints(tracking: tracking).endpoints
            + LoggedModelEndpoints(tracking: tracking).endpoints
            + RegistryEndpoints(registry: registry).endpoints
            + RunArtifactListEndpoint(store: artifacts, tracking: tracking).endpoints,
        on: &routes)
    ArtifactEndpoints(store: artifacts, tracking: tracking, maximumUploadBytes: configuration.maximumUploadBytes)
        .register(on: &routes)
    ArtifactFileEndpoints(store: artifacts, tracking: tracking, registry: registry).register(on: &routes)
    GenAIUnavailableEndpoints().register(on: &routes)
    GraphQLEndpoint(
        tracking: tracking, registry: registry, artifacts: RunArtifactListEndpoint(store: artifacts, tracking: tracking)
    ).register(on: &routes)
    ModelOwnershipController(registry: registry).register(on: &routes)
    RegistrationController(registration: registration, registry: registry).register(on: &routes)
    EventsController(registration: registration, webhookTargets: configuration.webhooks.urls.count).register(on: &routes)
}

/// The artifact store, and for S3 its client (a service, so its connections close at shutdown)
/// and the bucket check `/ready` reports.
struct ArtifactStoreSetup {
    let store: any ArtifactStore
    var s3Client: S3Client?
    var bucketHealth: S3Health?
}

/// The local folder, or the S3 bucket of `--artifacts-destination`.
func makeArtifactStore(_ configuration: AppConfiguration, metrics: AppMetrics, logger: Logger) throws -> ArtifactStoreSetup {
    guard let s3 = configuration.artifactsDestination else {
        return ArtifactStoreSetup(store: try LocalArtifactStore(root: configuration.artifactsDirectory))
    }
    let client = S3Client(
        configuration: s3, credentials: try AWSCredentialsChain.provider(for: s3.environment), metrics: metrics,
        logger: logger)
    return ArtifactStoreSetup(store: S3ArtifactStore(client: client), s3Client: client, bucketHealth: S3Health(client: client))
}
