import Core
import CoreTestSupport
import Foundation
import Logging
import Testing

struct RedisClientTests {
    @Test func commandsAndRepliesAreTyped() async throws {
        try await TestRedis.withClient { redis async throws in
            let key = redis.key("greeting")
            #expect(try await redis.send("SET", key, "مرحبا بك") == .status("OK"))
            #expect(try await redis.send("GET", key).string == "مرحبا بك")
            #expect(try await redis.send("INCRBY", redis.key("n"), "41").int == 41)
            #expect(try await redis.send("GET", redis.key("absent")) == .null)
            #expect(try await redis.send("RPUSH", redis.key("l"), "a", "b").int == 2)
            #expect(
                try await redis.send("LRANGE", redis.key("l"), "0", "-1").array?.compactMap(\.string) == ["a", "b"])
            await #expect(throws: RedisError.self) { try await redis.send("INCR", key) }
        }
    }

    @Test func valuesAreBinarySafe() async throws {
        try await TestRedis.withClient { redis async throws in
            let value = "a\u{0}b\r\nc"
            try await redis.send("SET", redis.key("bin"), value)
            #expect(try await redis.send("STRLEN", redis.key("bin")).int == Int64(value.utf8.count))
            #expect(try await redis.send("GET", redis.key("bin")).string == value)
        }
    }

    @Test func pipelineKeepsOrderAndErrorsInPlace() async throws {
        try await TestRedis.withClient { redis async throws in
            let replies = try await redis.pipeline([
                ["SET", redis.key("p"), "1"], ["INCR", redis.key("p")], ["LPUSH", redis.key("p"), "x"],
                ["GET", redis.key("p")],
            ])
            #expect(replies.count == 4)
            #expect(replies[1] == .integer(2))
            if case .error(let message) = replies[2] {
                #expect(message.hasPrefix("WRONGTYPE"))
            } else {
                Issue.record("expected an error reply")
            }
            #expect(replies[3].string == "2")
        }
    }

    @Test func scriptsRunByShaAndReloadAfterAFlush() async throws {
        try await TestRedis.withClient { redis async throws in
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            try await redis.send("SCRIPT", "FLUSH")
            #expect(try await redis.eval(script, keys: [redis.key("c")], arguments: ["5"]).int == 5)
            #expect(try await redis.send("SCRIPT", "EXISTS", script.sha1).array == [.integer(1)])
            #expect(try await redis.eval(script, keys: [redis.key("c")], arguments: ["5"]).int == 10)
        }
    }

    @Test func manyConcurrentCallersShareThePool() async throws {
        try await TestRedis.withClient { redis async throws in
            let key = redis.key("counter")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<200 { group.addTask { try await redis.send("INCR", key) } }
                try await group.waitForAll()
            }
            #expect(try await redis.send("GET", key).int == 200)
        }
    }

    @Test func clientReconnectsAfterRedisRestarts() async throws {
        let server = try LocalRedisServer()
        try await server.start()
        let redis = RedisClient(
            settings: RedisSettings(host: "127.0.0.1", port: server.port), poolSize: 2, logger: Logger(label: "test"))
        try await redis.send("SET", "k", "before")
        #expect(try await redis.send("GET", "k").string == "before")

        server.stop()
        await #expect(throws: RedisError.self) { try await redis.send("GET", "k") }
        try await server.start()

        try await redis.send("SET", "k", "after")
        #expect(try await redis.send("GET", "k").string == "after")
        await redis.shutdown()
    }

    @Test func unreachableRedisIsAConnectionError() async throws {
        let redis = RedisClient(
            settings: RedisSettings(host: "127.0.0.1", port: try freeLoopbackPort()), poolSize: 1,
            logger: Logger(label: "test"))
        let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
        if case .connection = error {
        } else {
            Issue.record("expected a connection error, got \(String(describing: error))")
        }
        await redis.shutdown()
    }
}
