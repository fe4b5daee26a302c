import HTTPTypes
import HokusaiCore

/// An S3 call that failed, with what the user needs to fix it: the bucket, the region and S3's
/// own error code. Rendered to the MLflow client as a 5xx naming the cause, counted in
/// `/metrics` by `reason`.
struct S3Failure: Error, Equatable, CustomStringConvertible {
    enum Reason: String, Sendable {
        case noSuchBucket = "no_such_bucket"
        case accessDenied = "access_denied"
        case wrongRegion = "wrong_region"
        case timeout
        case unreachable
        case credentials
        case other
    }

    let reason: Reason
    /// S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch`), or nil when S3 never answered.
    let code: String?
    let status: Int?
    let message: String

    var description: String { message }

    /// What the MLflow client gets: 504 when S3 is slow, 503 when it cannot be reached or refuses
    /// our credentials (the server is misconfigured, not the request), 502 for any other answer.
    var httpStatus: HTTPResponse.Status {
        switch reason {
        case .timeout: .gatewayTimeout
        case .unreachable, .accessDenied, .credentials, .noSuchBucket, .wrongRegion: .serviceUnavailable
        case .other: .badGateway
        }
    }

    /// An S3 error answer. `bucketRegion` is S3's `x-amz-bucket-region` header, when sent.
    static func answer(
        status: Int, body: S3Messages.ErrorBody?, bucketRegion: String?, configuration: S3Configuration, operation: String
    ) -> S3Failure {
        let bucket = configuration.location.bucket
        let region = configuration.region
        let code = body?.code ?? (status == 404 ? "NotFound" : status == 403 ? "AccessDenied" : "HTTP\(status)")
        let detail = body?.message.map { ": \($0)" } ?? ""
        let reason: Reason
        let advice: String
        switch code {
        case "NoSuchBucket":
            reason = .noSuchBucket
            advice = "the bucket '\(bucket)' does not exist in region \(region); create it or correct the s3:// location"
        case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
            "TokenRefreshRequired":
            reason = .accessDenied
            advice =
                "S3 refused the credentials for bucket '\(bucket)' (\(code)); check AWS_ACCESS_KEY_ID, "
                + "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and the bucket's policy"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            reason = .wrongRegion
            let actual = bucketRegion ?? body?.region
            advice =
                "the bucket '\(bucket)' is not in region \(region)"
                + (actual.map { "; it is in \($0): set AWS_REGION=\($0)" } ?? "; set AWS_REGION to the bucket's region")
        default:
            if status == 301 || status == 307 {
                reason = .wrongRegion
                advice =
                    "the bucket '\(bucket)' is not in region \(region)"
                    + (bucketRegion.map { "; it is in \($0): set AWS_REGION=\($0)" } ?? "")
            } else {
                reason = .other
                advice = "S3 answered \(status) \(code) for bucket '\(bucket)' in region \(region)"
            }
        }
        return S3Failure(
            reason: reason, code: code, status: status,
            message: "Artifact storage failed (\(operation)): \(advice)\(detail) (S3 error \(code), HTTP \(status))")
    }

    static func transport(_ error: any Error, configuration: S3Configuration, operation: String) -> S3Failure {
        let described = String(describing: error)
        let where_ = configuration.endpoint ?? "S3 in \(configuration.region)"
        if described.localizedLowercase.contains("timeout") || described.contains("deadlineExceeded") {
            return S3Failure(
                reason: .timeout, code: nil, status: nil,
                message:
                    "Artifact storage failed (\(operation)): \(where_) did not answer within "
                    + "\(configuration.readTimeoutMillis) ms for bucket '\(configuration.location.bucket)'")
        }
        return S3Failure(
            reason: .unreachable, code: nil, status: nil,
            message:
                "Artifact storage failed (\(operation)): cannot reach \(where_) for bucket "
                + "'\(configuration.location.bucket)': \(described.prefix(200))")
    }
}
