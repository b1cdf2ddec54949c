import Foundation
import NIOHTTP1
import Synchronization

/// Finds credentials the way the AWS SDKs do for our two homes: environment variables (local, CI),
/// then the ECS task role endpoint (Fargate). Temporary credentials are refreshed before they expire.
public final class AWSCredentialsProvider: Sendable {
    private let environment: [String: String]
    private let http: OutgoingHTTP
    private let cached = Mutex<(AWSCredentials, Date)?>(nil)

    public init(environment: [String: String], http: OutgoingHTTP = OutgoingHTTP()) {
        self.environment = environment
        self.http = http
    }

    public enum Failure: Error, CustomStringConvertible {
        case noCredentials
        case containerEndpoint(String)
        public var description: String {
            switch self {
            case .noCredentials:
                "no AWS credentials (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or run with an ECS task role)"
            case .containerEndpoint(let reason): "ECS credentials endpoint failed: \(reason)"
            }
        }
    }

    public func credentials() async throws -> AWSCredentials {
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"],
            !id.isEmpty, !secret.isEmpty
        {
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        if let (credentials, expiry) = cached.withLock({ $0 }), expiry.timeIntervalSinceNow > 300 {
            return credentials
        }
        let fresh = try await fetchContainerCredentials()
        cached.withLock { $0 = fresh }
        return fresh.0
    }

    private func fetchContainerCredentials() async throws -> (AWSCredentials, Date) {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] {
            url = "http://169.254.170.2\(relative)"
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] {
            url = full
        } else {
            throw Failure.noCredentials
        }
        var headers = HTTPHeaders()
        if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.add(name: "Authorization", value: token)
        }
        let reply = try await http.send(.GET, url, headers: headers, timeout: .seconds(5))
        guard reply.status == 200 else { throw Failure.containerEndpoint("HTTP \(reply.status)") }
        struct Body: Decodable {
            let accessKeyID: String
            let secretAccessKey: String
            let token: String?
            let expiration: String?

            enum CodingKeys: String, CodingKey {
                case accessKeyID = "AccessKeyId"
                case secretAccessKey = "SecretAccessKey"
                case token = "Token"
                case expiration = "Expiration"
            }
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: reply.body) else {
            throw Failure.containerEndpoint("unreadable answer")
        }
        let expiry = body.expiration.flatMap { try? Date($0, strategy: .iso8601) } ?? Date().addingTimeInterval(900)
        return (
            AWSCredentials(
                accessKeyID: body.accessKeyID, secretAccessKey: body.secretAccessKey, sessionToken: body.token), expiry
        )
    }
}
