import HTTPTypes
import HokusaiCore
import Hummingbird

/// Every error the API returns on purpose. It renders itself in the format of the path it
/// answers: MLflow's `{"error_code","message"}` or Hokusai's `{"detail","error","message","request_id"}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// Machine-readable code (`REVOKED`, `INVALID_PARAMETER`, …).
    public let code: String
    /// Precise human explanation.
    public let message: String
    /// The `detail` text, where the reference system's text must be kept; defaults to `message`.
    public let detail: String?
    /// The MLflow `error_code`; derived from the status when nil.
    public let mlflowCode: String?
    public let extraFields: [(String, JSONValue)]
    public let headers: HTTPFields

    public init(
        status: HTTPResponse.Status, code: String, message: String, detail: String? = nil, mlflowCode: String? = nil,
        extraFields: [(String, JSONValue)] = [], headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.mlflowCode = mlflowCode
        self.extraFields = extraFields
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestId = (context as? HokusaiRequestContext)?.requestId ?? ""
        return try render(family: PathFamily.of(path: request.uri.path), requestId: requestId)
    }

    func render(family: PathFamily, requestId: String) throws -> Response {
        // Messages repeat what the client sent (a path, an id); a key typed there is never echoed.
        let message = KeyLikeTextMask.masking(message)
        let detail = detail.map(KeyLikeTextMask.masking)
        let fields: [(String, JSONValue)]
        switch family {
        case .mlflow:
            fields = [
                ("error_code", .string(mlflowCode ?? Self.mlflowCode(for: status))),
                ("message", .string(message)),
            ]
        case .hokusai:
            fields =
                [
                    ("detail", .string(detail ?? message)),
                    ("error", .string(code)),
                    ("message", .string(message)),
                ] + extraFields + [("request_id", .string(requestId))]
        }
        return JSONResponse.make(.object(fields), status: status, headers: headers)
    }

    /// MLflow's status-to-code mapping, as its client reads it.
    static func mlflowCode(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "INVALID_PARAMETER_VALUE"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "ENDPOINT_NOT_FOUND"
        case 405: "BAD_REQUEST"
        case 409: "RESOURCE_ALREADY_EXISTS"
        case 413: "INVALID_PARAMETER_VALUE"
        case 429: "REQUEST_LIMIT_EXCEEDED"
        case 503: "TEMPORARILY_UNAVAILABLE"
        default: "INTERNAL_ERROR"
        }
    }
}

extension APIError {
    /// A refused key: the precise code and message, the reference `detail`, and Retry-After when it applies.
    static func unauthenticated(_ rejection: KeyRejection) -> APIError {
        var headers = HTTPFields()
        if let retryAfter = rejection.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        if rejection.code.httpStatus == 401 {
            headers[.wwwAuthenticate] = "Bearer"
        }
        var extra: [(String, JSONValue)] = []
        if let scope = rejection.requiredScope {
            extra.append(("required_scope", .string(scope.rawValue)))
        }
        return APIError(
            status: .init(code: rejection.code.httpStatus), code: rejection.code.rawValue, message: rejection.message,
            detail: rejection.code.referenceDetail, extraFields: extra, headers: headers)
    }

    static func invalidParameter(field: String, message: String) -> APIError {
        APIError(
            status: .badRequest, code: "INVALID_PARAMETER", message: message,
            extraFields: [("field", .string(field))])
    }

    /// Every problem of a request body, each naming its field and rule.
    static func unprocessable(_ problems: FieldProblems) -> APIError {
        let list = problems.problems.map { JSONValue.object([("field", .string($0.field)), ("rule", .string($0.rule))]) }
        return APIError(
            status: .unprocessableContent, code: "VALIDATION_FAILED", message: problems.summary,
            mlflowCode: "INVALID_PARAMETER_VALUE",
            extraFields: [("errors", .array(list))])
    }

    /// A registry error (missing model, not the owner, bad value) in the Hokusai format.
    init(registry error: MLflowError) {
        let code =
            switch error.code {
            case .resourceDoesNotExist: "NOT_FOUND"
            case .permissionDenied: "PERMISSION_DENIED"
            case .resourceAlreadyExists: "ALREADY_EXISTS"
            default: "INVALID_PARAMETER"
            }
        self.init(status: .init(code: error.code.httpStatus), code: code, message: error.message, mlflowCode: error.code.rawValue)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: .notFound, code: "NOT_FOUND", message: message, mlflowCode: "RESOURCE_DOES_NOT_EXIST")
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(status: .forbidden, code: "PERMISSION_DENIED", message: message)
    }

    /// A state-changing request made with the session cookie from somewhere other than this server's pages.
    static func crossSiteRequest(_ reason: String) -> APIError {
        APIError(
            status: .forbidden, code: "CROSS_SITE_REQUEST",
            message: "Refused a change made with the browser session cookie: \(reason). "
                + "Make changes from this server's own pages, or send the key in an Authorization header",
            mlflowCode: "PERMISSION_DENIED")
    }

    static func conflict(_ message: String) -> APIError {
        APIError(status: .conflict, code: "CONFLICT", message: message, mlflowCode: "INVALID_STATE")
    }

    static func from(_ problem: KeyRequestProblem) -> APIError {
        switch problem {
        case .invalidField(let field, let message): invalidParameter(field: field, message: message)
        case .forbidden(let message): forbidden(message)
        case .conflict(let message): conflict(message)
        }
    }

    /// The key store did not answer, so no key can be checked. 503 with Retry-After, never a 401:
    /// the reference system answered its auth outages as bad keys for a year.
    static let keyStoreUnavailable = APIError(
        status: .serviceUnavailable, code: "AUTH_UNAVAILABLE",
        message:
            "The key store did not answer, so the key could not be checked; this is not a problem with the key. Retry shortly.",
        detail: "Authentication service unavailable", mlflowCode: "TEMPORARILY_UNAVAILABLE",
        headers: [.retryAfter: "1"])

    /// A gateway's auth service cannot be reached and the key was not validated recently enough
    /// to keep working: 503 with Retry-After, never a 401 (the reference system's year-long mistake).
    static func authServiceUnavailable(retryAfterSeconds: Int) -> APIError {
        APIError(
            status: .serviceUnavailable, code: "AUTH_UNAVAILABLE",
            message:
                "The authentication service cannot be reached, so the key could not be checked; this is not a problem with the key. "
                + "Retry in \(retryAfterSeconds) s.",
            detail: "Authentication service unavailable", mlflowCode: "TEMPORARILY_UNAVAILABLE",
            headers: [.retryAfter: String(retryAfterSeconds)])
    }

    /// A write through a gateway whose auth service is down, with `--degraded-writes=false`.
    static let writesPausedWhileDegraded = APIError(
        status: .serviceUnavailable, code: "AUTH_UNAVAILABLE",
        message:
            "The authentication service cannot be reached; this gateway serves reads only until it is back. Retry shortly.",
        detail: "Authentication service unavailable", mlflowCode: "TEMPORARILY_UNAVAILABLE", headers: [.retryAfter: "5"])

    static let internalError = APIError(
        status: .internalServerError, code: "INTERNAL_ERROR",
        message: "Internal server error; the request id identifies it in the server log")
}

extension APIError {
    /// The same error as one the framework raised (`HTTPError`), in our format and with its status.
    init(framework error: any HTTPResponseError) {
        let message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
        let code =
            switch error.status.code {
            case 404: "NOT_FOUND"
            case 413: "BODY_TOO_LARGE"
            case 400..<500: "BAD_REQUEST"
            default: "INTERNAL_ERROR"
            }
        self.init(status: error.status, code: code, message: message, headers: (error as? HTTPError)?.headers ?? [:])
    }
}
