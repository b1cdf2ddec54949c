import Core
import Foundation
import Logging

/// A Redis client whose keys carry a prefix unique to the test; the keys are deleted afterwards.
public enum TestRedis {
    public static func withClient<T: Sendable>(_ body: (RedisClient) async throws -> T) async throws -> T {
        let prefix = "test:\(UUID().uuidString.lowercased()):"
        let client = RedisClient(
            settings: try TestEnvironment.redisSettings(keyPrefix: prefix), poolSize: 4,
            logger: Logger(label: "test-redis"))
        do {
            let result = try await body(client)
            await cleanUp(client, prefix: prefix)
            return result
        } catch {
            await cleanUp(client, prefix: prefix)
            throw error
        }
    }

    private static func cleanUp(_ client: RedisClient, prefix: String) async {
        var cursor = "0"
        repeat {
            guard let reply = try? await client.send("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "500"),
                let parts = reply.array, parts.count == 2
            else { break }
            cursor = parts[0].string ?? "0"
            let keys = (parts[1].array ?? []).compactMap(\.string)
            if !keys.isEmpty { _ = try? await client.send(["DEL"] + keys) }
        } while cursor != "0"
        await client.shutdown()
    }
}
