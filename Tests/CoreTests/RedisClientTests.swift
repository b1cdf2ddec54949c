import CoreTestSupport
import Foundation
import Logging
import NIOCore
import Testing

@testable import Core

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

    @Test func aBlockingReadDoesNotHoldUpOtherCommands() async throws {
        try await TestRedis.withClient { redis async throws in
            let stream = redis.key("jobs")
            let counter = redis.key("counter")
            let waiting = Task {
                try await redis.send("XREAD", "COUNT", "1", "BLOCK", "5000", "STREAMS", stream, "$")
            }
            try await Task.sleep(for: .milliseconds(100))
            // Every ordinary command finishes while the XREAD is still waiting on its own connection.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 { group.addTask { try await redis.send("INCR", counter) } }
                try await group.waitForAll()
            }
            #expect(try await redis.send("GET", counter).int == 50)
            try await redis.send("XADD", stream, "*", "kind", "فيديو")
            let reply = try await waiting.value
            let fields = reply.array?.first?.array?.last?.array?.first?.array?.last?.array?.compactMap(\.string)
            #expect(fields == ["kind", "فيديو"])
        }
    }

    @Test func aServerThatStopsAnsweringFailsTheCallAndTheNextCallReconnects() async throws {
        let server = try LocalRedisServer(options: ["--enable-debug-command", "local"])
        try await server.start()
        defer { server.stop() }
        let redis = RedisClient(
            settings: RedisSettings(host: "127.0.0.1", port: server.port), poolSize: 1,
            commandTimeout: .milliseconds(300), logger: Logger(label: "test"))
        try await redis.send("SET", "k", "v")
        let started = ContinuousClock.now
        let error = await #expect(throws: RedisError.self) { try await redis.send("DEBUG", "SLEEP", "2") }
        // Given up after the timeout, and not sent again (Redis may have run it).
        #expect(ContinuousClock.now - started < .milliseconds(1500))
        if case .connection = error {
        } else {
            Issue.record("expected a connection error, got \(String(describing: error))")
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await redis.send("GET", "k").string == "v")
        await redis.shutdown()
        await #expect(throws: RedisError.closed) { try await redis.send("PING") }
    }

    @Test func repliesCutAtEveryByteComeOutWhole() throws {
        let wire = Array(
            ("*5\r\n+OK\r\n:-42\r\n$12\r\nمرحبا\r\n\r\n$-1\r\n*2\r\n-ERR bad\r\n*-1\r\n"
                + "$0\r\n\r\n").utf8)
        let expected: [RedisValue] = [
            .array([
                .status("OK"), .integer(-42), .bulk(Array("مرحبا\r\n".utf8)), .null,
                .array([.error("ERR bad"), .null]),
            ]),
            .bulk([]),
        ]
        for cut in 1..<wire.count {
            var buffer = ByteBuffer(bytes: wire[..<cut])
            var values: [RedisValue] = []
            while let value = try RESP.read(&buffer) { values.append(value) }
            #expect(values == Array(expected.prefix(cut == wire.count ? 2 : (cut >= wire.count - 6 ? 1 : 0))))
            buffer.writeBytes(wire[cut...])
            while let value = try RESP.read(&buffer) { values.append(value) }
            #expect(values == expected, "cut at byte \(cut)")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func commandsAreWrittenAsBulkStrings() {
        var buffer = ByteBuffer()
        RESP.write(["SET", "مفتاح", ""], into: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$10\r\nمفتاح\r\n$0\r\n\r\n")
    }

    @Test(arguments: ["?what\r\n", ":12a\r\n", "$3\r\nabcd\r\n", "*x\r\n"])
    func aReplyThatBreaksTheProtocolIsAnError(wire: String) {
        var buffer = ByteBuffer(string: wire)
        #expect(throws: RESP.ProtocolError.self) { try RESP.read(&buffer) }
    }

    @Test func blockingCommandsAreRecognised() {
        #expect(RedisClient.isBlocking(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "100", "STREAMS", "s", ">"]))
        #expect(RedisClient.isBlocking(["blpop", "q", "1"]))
        #expect(!RedisClient.isBlocking(["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"]))
        #expect(!RedisClient.isBlocking(["GET", "BLOCK"]))
    }
}
