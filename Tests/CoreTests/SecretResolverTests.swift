import AsyncHTTPClient
import Core
import CoreTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Secret resolution against moto's Secrets Manager (a real awsJson1_1 endpoint on loopback).
struct SecretResolverTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    func createSecret(name: String, value: String) async throws {
        let status = try await TestSecrets.create(name: name, value: value)
        #expect(status == 200, "CreateSecret answered \(status)")
    }

    func resolver() throws -> SecretResolver {
        let client = SecretsManagerClient(
            region: "eu-central-1", endpoint: try TestEnvironment.awsEndpoint(),
            credentials: AWSCredentialsProvider(environment: Self.environment))
        return SecretResolver(store: client)
    }

    @Test func resolvesPlainAndJSONSecretsFromSecretsManager() async throws {
        let suffix = UUID().uuidString.prefix(8)
        try await createSecret(name: "db-\(suffix)", value: "postgres://app:pw@db.internal:5432/studio")
        try await createSecret(name: "keys-\(suffix)", value: #"{"openai":"sk-test-1","port":6379}"#)
        let source = ConfigSource([
            "DATABASE_URL": "aws:secretsmanager:db-\(suffix)",
            "OPENAI_API_KEY": "aws:secretsmanager:keys-\(suffix)#openai",
            "REDIS_PORT": "aws:secretsmanager:keys-\(suffix)#port",
            "PLAIN": "unchanged",
        ])

        let resolved = try await resolver().resolve(source)

        #expect(resolved["DATABASE_URL"] == "postgres://app:pw@db.internal:5432/studio")
        #expect(resolved["OPENAI_API_KEY"] == "sk-test-1")
        #expect(resolved["REDIS_PORT"] == "6379")
        #expect(resolved["PLAIN"] == "unchanged")
        #expect(try DatabaseSettings(resolved).host == "db.internal")
    }

    @Test func missingSecretNamesTheKeyAndNotTheValue() async throws {
        let source = ConfigSource(["DATABASE_URL": "aws:secretsmanager:does-not-exist-\(UUID().uuidString)"])

        let error = await #expect(throws: ConfigError.self) { try await resolver().resolve(source) }

        #expect(error?.key == "DATABASE_URL")
        #expect(error?.description.contains("ResourceNotFoundException") == true)
        #expect(error?.description.contains("does-not-exist") == false)
    }

    @Test func missingJSONKeyIsAClearError() async throws {
        let name = "json-\(UUID().uuidString.prefix(8))"
        try await createSecret(name: name, value: #"{"a":"1"}"#)

        let error = await #expect(throws: ConfigError.self) {
            try await resolver().resolve(ConfigSource(["JWT_SECRET": "aws:secretsmanager:\(name)#b"]))
        }

        #expect(error?.key == "JWT_SECRET")
        #expect(error?.reason.contains("\"b\"") == true)
    }

    @Test func eachSecretIsFetchedOnce() async throws {
        final class CountingStore: SecretStore {
            let calls = Counter()
            func secretString(_ secretID: String) async throws -> String {
                await calls.increment()
                return #"{"a":"1","b":"2"}"#
            }
        }
        actor Counter {
            var value = 0
            func increment() { value += 1 }
        }
        let store = CountingStore()
        let source = ConfigSource(["A": "aws:secretsmanager:s#a", "B": "aws:secretsmanager:s#b"])

        let resolved = try await SecretResolver(store: store).resolve(source)

        #expect(resolved["A"] == "1" && resolved["B"] == "2")
        #expect(await store.calls.value == 1)
    }
}
