import HTTPTypes
import HokusaiCore
import Hummingbird

/// `POST /api/v1/keys/validate`: the key service's answer for gateways and tools. The key may be in
/// the body (`api_key`, the reference CLI's contract) or in any header the gateway accepts (the
/// reference proxy's contract); the contract mismatch that broke the reference system cannot happen.
/// A validation counts as one use of the key against its hourly limit.
struct ValidateController {
    let authenticator: KeyAuthenticator

    func register(on routes: inout RouteRegistrar) {
        routes.open(.post, "/api/v1/keys/validate", validate)
    }

    struct Body: Decodable {
        let apiKey: String?
        let serviceId: String?
        let clientIp: String?
        let requiredScope: String?
        let environment: String?

        enum CodingKeys: String, CodingKey {
            case apiKey = "api_key"
            case serviceId = "service_id"
            case clientIp = "client_ip"
            case requiredScope = "required_scope"
            case environment
        }
    }

    @Sendable func validate(_ request: Request, context: HokusaiRequestContext) async throws -> Response {
        if let rejection = GatewayMiddleware.keyInQueryString(request) {
            context.notes.authCode = rejection.code
            throw APIError.unauthenticated(rejection)
        }
        let body = try await JSONBody.decode(Body.self, from: request, context: context, emptyMeans: "{}")
        var demand = VerificationDemand(serviceId: body.serviceId)
        if let name = body.requiredScope {
            guard let scope = Scope(name: name) else {
                throw APIError.invalidParameter(
                    field: "required_scope", message: "required_scope '\(name)' is not a scope; use read, write or admin")
            }
            demand.requiredScope = scope
        }
        if let name = body.environment {
            guard let environment = APIKeyEnvironment(rawValue: name) else {
                throw APIError.invalidParameter(
                    field: "environment", message: "environment must be one of production, test, development")
            }
            demand.environment = environment
        }
        let presented: Result<PresentedCredential.Found?, KeyRejection>
        if let key = body.apiKey, !key.isEmpty {
            presented = .success(PresentedCredential.Found(key: key, placement: .body))
        } else {
            presented = PresentedCredential.extract(
                authorization: request.headers[.authorization], xAPIKey: request.headers[.xAPIKey])
        }
        var origin = RequestOrigin(clientIP: context.clientIP, requestId: context.requestId)
        if let clientIp = body.clientIp {
            guard clientIp.count <= 64, clientIp.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == ":" }) else {
                throw APIError.invalidParameter(field: "client_ip", message: "client_ip must be an IPv4 or IPv6 address")
            }
            origin.onBehalfOf = clientIp
        }
        let outcome = try await authenticator.authenticate(presented, demand: demand, origin: origin)
        switch outcome {
        case .accepted(let key, let decision, _):
            context.notes.authCode = .valid
            context.notes.keyId = key.id
            return try JSONResponse.make(
                ValidationResult(key: key), headers: GatewayMiddleware.rateLimitHeaders(decision))
        case .rejected(let rejection, let decision):
            context.notes.authCode = rejection.code
            context.notes.keyId = rejection.keyId
            var headers = decision.map(GatewayMiddleware.rateLimitHeaders) ?? HTTPFields()
            if let retryAfter = rejection.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
            return try JSONResponse.make(
                ValidationResult(rejection: rejection, requestId: context.requestId),
                status: .init(code: rejection.code.httpStatus), headers: headers)
        }
    }
}

/// The validation answer: the same fields whether valid or not, so clients parse one shape.
struct ValidationResult: Encodable {
    let isValid: Bool
    let code: String
    let message: String
    let error: String?
    let detail: String?
    let requiredScope: String?
    let keyId: String?
    let userId: String?
    let email: String?
    let serviceId: String?
    let environment: String?
    let scopes: [String]?
    let isAdmin: Bool?
    let rateLimitPerHour: Int?
    let billingPlan: String?
    let expiresAt: String?
    /// The chain's shared hourly budget, for a gateway that counts requests itself.
    let budgetKeyId: String?
    let budgetRateLimitPerHour: Int?
    let requestId: String?

    enum CodingKeys: String, CodingKey {
        case code, message, error, detail, email, environment, scopes
        case isValid = "is_valid"
        case requiredScope = "required_scope"
        case keyId = "key_id"
        case userId = "user_id"
        case serviceId = "service_id"
        case isAdmin = "is_admin"
        case rateLimitPerHour = "rate_limit_per_hour"
        case billingPlan = "billing_plan"
        case expiresAt = "expires_at"
        case budgetKeyId = "budget_key_id"
        case budgetRateLimitPerHour = "budget_rate_limit_per_hour"
        case requestId = "request_id"
    }

    init(key: KeyRecord) {
        isValid = true
        code = ValidationCode.valid.rawValue
        message = "API key \(key.maskedKey) is valid"
        error = nil
        detail = nil
        requiredScope = nil
        keyId = key.id
        userId = key.userId
        email = key.email
        serviceId = key.serviceId
        environment = key.environment.rawValue
        scopes = key.scopes.names
        isAdmin = key.scopes.isAdmin
        rateLimitPerHour = key.rateLimitPerHour
        billingPlan = key.billingPlan
        expiresAt = key.expiresAt.map(Timestamp.iso8601)
        budgetKeyId = key.sharedBudget?.keyId
        budgetRateLimitPerHour = key.sharedBudget?.limitPerHour
        requestId = nil
    }

    init(rejection: KeyRejection, requestId: String) {
        isValid = false
        code = rejection.code.rawValue
        message = rejection.message
        error = rejection.code.rawValue
        detail = rejection.code.referenceDetail
        requiredScope = rejection.requiredScope?.rawValue
        keyId = rejection.keyId
        userId = nil
        email = nil
        serviceId = nil
        environment = nil
        scopes = nil
        isAdmin = nil
        rateLimitPerHour = nil
        billingPlan = nil
        expiresAt = nil
        budgetKeyId = nil
        budgetRateLimitPerHour = nil
        self.requestId = requestId
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(isValid, forKey: .isValid)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(detail, forKey: .detail)
        try c.encodeIfPresent(requiredScope, forKey: .requiredScope)
        try c.encode(keyId, forKey: .keyId)
        try c.encode(userId, forKey: .userId)
        try c.encode(email, forKey: .email)
        try c.encode(serviceId, forKey: .serviceId)
        try c.encode(environment, forKey: .environment)
        try c.encode(scopes, forKey: .scopes)
        try c.encode(isAdmin, forKey: .isAdmin)
        try c.encode(rateLimitPerHour, forKey: .rateLimitPerHour)
        try c.encode(billingPlan, forKey: .billingPlan)
        try c.encode(expiresAt, forKey: .expiresAt)
        try c.encodeIfPresent(budgetKeyId, forKey: .budgetKeyId)
        try c.encodeIfPresent(budgetRateLimitPerHour, forKey: .budgetRateLimitPerHour)
        try c.encodeIfPresent(requestId, forKey: .requestId)
    }
}
