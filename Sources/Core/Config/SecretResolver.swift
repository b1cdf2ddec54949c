import Foundation

/// Something that can read a secret's string by name (Secrets Manager, or a fake in tests).
public protocol SecretStore: Sendable {
    func secretString(_ secretID: String) async throws -> String
}

extension SecretsManagerClient: SecretStore {}

/// Replaces every `aws:secretsmanager:NAME` or `aws:secretsmanager:NAME#jsonKey` value by the secret,
/// fetching each secret once.
public struct SecretResolver: Sendable {
    public static let prefix = "aws:secretsmanager:"
    let store: any SecretStore

    public init(store: any SecretStore) {
        self.store = store
    }

    /// Builds the resolver the environment asks for: region from `AWS_REGION`, endpoint from
    /// `AWS_ENDPOINT_URL_SECRETS_MANAGER` or `AWS_ENDPOINT_URL` (for an emulator).
    public static func fromEnvironment(_ source: ConfigSource) -> SecretResolver {
        let region = source["AWS_REGION"] ?? source["AWS_DEFAULT_REGION"] ?? "eu-central-1"
        let endpoint = source["AWS_ENDPOINT_URL_SECRETS_MANAGER"] ?? source["AWS_ENDPOINT_URL"]
        let client = SecretsManagerClient(
            region: region, endpoint: endpoint, credentials: AWSCredentialsProvider(environment: source.values))
        return SecretResolver(store: client)
    }

    public func resolve(_ source: ConfigSource) async throws -> ConfigSource {
        var resolved = source
        var fetched: [String: String] = [:]
        for key in source.values.keys.sorted() {
            guard let raw = source.values[key], raw.hasPrefix(Self.prefix) else { continue }
            let reference = raw.dropFirst(Self.prefix.count)
            let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard !name.isEmpty else { throw ConfigError(key: key, reason: "names no secret after \(Self.prefix)") }
            let secret: String
            if let cached = fetched[name] {
                secret = cached
            } else {
                do {
                    secret = try await store.secretString(name)
                } catch {
                    throw ConfigError(key: key, reason: "could not be resolved from Secrets Manager (\(error))")
                }
                fetched[name] = secret
            }
            if parts.count == 2 {
                let jsonKey = String(parts[1])
                guard let object = try? JSONSerialization.jsonObject(with: Data(secret.utf8)) as? [String: Any] else {
                    throw ConfigError(key: key, reason: "refers to a JSON key but the secret is not a JSON object")
                }
                guard let value = object[jsonKey] else {
                    throw ConfigError(
                        key: key, reason: "refers to JSON key \"\(jsonKey)\" that the secret does not have")
                }
                resolved.set(key, (value as? String) ?? "\(value)")
            } else {
                resolved.set(key, secret)
            }
        }
        return resolved
    }
}
