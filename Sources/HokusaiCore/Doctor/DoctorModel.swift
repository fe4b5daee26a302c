/// The parts of a deployment a failure can be in, as a report names them.
public enum DoctorLayer: String, Sendable, CaseIterable {
    case network = "network/TLS"
    case routing = "load balancer or routing"
    case gateway
    case authService = "auth service"
    case apiKey = "API key"
    case trackingStore = "tracking store"
    case artifactStore = "artifact store"
    case registry
    case eventDelivery = "event delivery"
    case upstream = "upstream MLflow"
    case webUI = "web UI"
}

/// What one HTTP exchange showed: enough evidence to diagnose it without the network.
public struct Observation: Sendable, Equatable {
    public var method: String
    public var path: String
    public var status: Int?
    public var contentType: String?
    /// The start of the body (at most a few hundred characters).
    public var body: String
    public var latencyMs: Double
    /// Set when no HTTP answer came back (refused, timeout, TLS).
    public var transportError: String?
    public var retryAfter: String?

    public init(
        method: String, path: String, status: Int?, contentType: String? = nil, body: String = "", latencyMs: Double = 0,
        transportError: String? = nil, retryAfter: String? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.contentType = contentType
        self.body = body
        self.latencyMs = latencyMs
        self.transportError = transportError
        self.retryAfter = retryAfter
    }

    public var request: String { "\(method) \(path)" }
    public var isJSON: Bool { (contentType ?? "").contains("json") }
}

/// Where a failure is, why, and what to do about it.
public struct Diagnosis: Sendable, Equatable {
    public var layer: DoctorLayer
    public var cause: String
    public var fix: String

    public init(layer: DoctorLayer, cause: String, fix: String) {
        self.layer = layer
        self.cause = cause
        self.fix = fix
    }
}

public enum CheckOutcome: String, Sendable {
    case pass, fail, warn, skip
}

/// One check of a doctor run.
public struct DoctorCheck: Sendable {
    public var stage: String
    public var name: String
    public var outcome: CheckOutcome
    public var observation: Observation?
    /// What the check saw, in a sentence.
    public var evidence: String
    public var diagnosis: Diagnosis?

    public init(
        stage: String, name: String, outcome: CheckOutcome, observation: Observation? = nil, evidence: String,
        diagnosis: Diagnosis? = nil
    ) {
        self.stage = stage
        self.name = name
        self.outcome = outcome
        self.observation = observation
        self.evidence = evidence
        self.diagnosis = diagnosis
    }
}
