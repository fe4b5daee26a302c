import HokusaiCore

/// Where S3 credentials come from. Temporary credentials (ECS, instance roles) are fetched
/// again before they expire; long-lived keys from the environment are read once.
protocol AWSCredentialsProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
struct EnvironmentCredentials: AWSCredentialsProvider {
    let value: AWSCredentials

    init?(environment: [String: String]) {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
            let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        value = AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }

    func credentials() async throws -> AWSCredentials { value }
}

/// The AWS SDKs' order: keys in the environment, then the container's credentials endpoint
/// (ECS, EKS), then the EC2 instance metadata service.
enum AWSCredentialsChain {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), "
                + "or run where a container or instance role provides them"
        }
    }

    static func provider(for environment: [String: String]) throws -> any AWSCredentialsProvider {
        if let keys = EnvironmentCredentials(environment: environment) { return keys }
        if let container = try CredentialEndpoints.container(environment: environment) { return container }
        if let instance = CredentialEndpoints.instanceMetadata(environment: environment) { return instance }
        throw Missing()
    }
}
