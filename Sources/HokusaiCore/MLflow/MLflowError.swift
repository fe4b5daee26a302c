/// MLflow's error codes, with the HTTP status its client maps each to
/// (`mlflow.exceptions.ERROR_CODE_TO_HTTP_STATUS`).
public enum MLflowErrorCode: String, Sendable, Equatable {
    case invalidParameterValue = "INVALID_PARAMETER_VALUE"
    case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
    case badRequest = "BAD_REQUEST"
    case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
    case endpointNotFound = "ENDPOINT_NOT_FOUND"
    case permissionDenied = "PERMISSION_DENIED"
    case unauthenticated = "UNAUTHENTICATED"
    case invalidState = "INVALID_STATE"
    case internalError = "INTERNAL_ERROR"
    case temporarilyUnavailable = "TEMPORARILY_UNAVAILABLE"

    public var httpStatus: Int {
        switch self {
        case .invalidParameterValue, .resourceAlreadyExists, .badRequest: 400
        case .unauthenticated: 401
        case .permissionDenied: 403
        case .resourceDoesNotExist, .endpointNotFound: 404
        case .invalidState, .internalError: 500
        case .temporarilyUnavailable: 503
        }
    }
}

/// An MLflow API error: the code and message the MLflow client shows its user.
public struct MLflowError: Error, Sendable, Equatable {
    public let code: MLflowErrorCode
    public let message: String

    public init(_ code: MLflowErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func invalid(_ message: String) -> MLflowError { MLflowError(.invalidParameterValue, message) }
    public static func notFound(_ message: String) -> MLflowError { MLflowError(.resourceDoesNotExist, message) }

    public static func missing(_ parameter: String) -> MLflowError {
        .invalid(
            "Missing value for required parameter '\(parameter)'. See the API docs for more information about request parameters."
        )
    }
}
