import Foundation
import NIOHTTP1

/// `GetSecretValue` over the awsJson1_1 protocol, signed with our SigV4 signer.
public struct SecretsManagerClient: Sendable {
    public let region: String
    public let endpoint: String
    private let credentials: AWSCredentialsProvider
    private let http: OutgoingHTTP

    public init(
        region: String, endpoint: String? = nil, credentials: AWSCredentialsProvider,
        http: OutgoingHTTP = OutgoingHTTP()
    ) {
        self.region = region
        self.endpoint = endpoint ?? "https://secretsmanager.\(region).amazonaws.com"
        self.credentials = credentials
        self.http = http
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// An AWS error: its type (namespace stripped) and HTTP status.
        case service(type: String, status: Int)
        case binarySecret
        case unreadableAnswer

        public var description: String {
            switch self {
            case .service(let type, let status): "Secrets Manager answered \(status) \(type)"
            case .binarySecret: "the secret is binary, not a string"
            case .unreadableAnswer: "Secrets Manager's answer could not be read"
            }
        }
    }

    /// The `SecretString` of the current version of `secretID` (a name or an ARN).
    public func secretString(_ secretID: String) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["SecretId": secretID], options: [.sortedKeys])
        let reply = try await AWSRequest.send(
            .POST, endpoint, body: body, contentType: "application/x-amz-json-1.1",
            extraHeaders: [("X-Amz-Target", "secretsmanager.GetSecretValue")], service: "secretsmanager",
            region: region, credentials: credentials, http: http)
        let json = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any]
        guard reply.status == 200 else {
            let rawType =
                (json?["__type"] as? String) ?? reply.headers.first(name: "x-amzn-ErrorType") ?? "UnknownError"
            let type = rawType.split(separator: "#").last.map(String.init) ?? rawType
            throw Failure.service(type: type.split(separator: ":").first.map(String.init) ?? type, status: reply.status)
        }
        if let string = json?["SecretString"] as? String { return string }
        if json?["SecretBinary"] != nil { throw Failure.binarySecret }
        throw Failure.unreadableAnswer
    }
}
