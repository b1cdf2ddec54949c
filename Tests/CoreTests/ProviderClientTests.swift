import AsyncHTTPClient
import Core
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// A small HTTP/1.1 server whose path picks what it does, and which counts connections and requests.
final class ScriptedHTTPServer: Sendable {
    let connections = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    /// The raw bytes of every request head and body, in order, as one string each.
    let received = Mutex<[String]>([])
    private let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    init(tls: NIOSSLContext? = nil) async throws {
        let box = Box()
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    box.server?.connections.add(1, ordering: .relaxed)
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(server: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        box.server = self
    }

    func stop() async throws {
        try await channel.close()
    }

    final class Box: @unchecked Sendable {
        weak var server: ScriptedHTTPServer?
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let server: Box
        var head: HTTPRequestHead?
        var body = ""

        init(server: Box) {
            self.server = server
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = ""
            case .body(let bytes):
                body += String(buffer: bytes)
            case .end:
                guard let head else { return }
                server.server?.requests.add(1, ordering: .relaxed)
                server.server?.received.withLock {
                    $0.append("\(head.method) \(head.uri) host=\(head.headers["host"].first ?? "") \(body)")
                }
                respond(to: head, context: context)
            }
        }

        func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
            func send(_ text: String, headers extra: [(String, String)] = [], then: (() -> Void)? = nil) {
                var headers = HTTPHeaders([("Content-Length", String(text.utf8.count))] + extra)
                headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in then?() }
            }
            switch head.uri {
            case "/hang": break
            case "/close": send("bye", headers: [("Connection", "close")]) { context.close(promise: nil) }
            case "/drip":
                // A head and one chunk, then nothing more.
                let headers = HTTPHeaders([("Transfer-Encoding", "chunked"), ("Content-Type", "text/event-stream")])
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                context.writeAndFlush(
                    wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: أ\n\n")))), promise: nil)
            case "/cut":
                // Half of the promised body, then the connection ends.
                let headers = HTTPHeaders([("Content-Length", "100")])
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "only fifty")))))
                    .whenComplete { _ in context.close(promise: nil) }
            default: send("مرحبا \(head.uri)")
            }
        }
    }
}

struct ProviderClientTests {
    func text(_ response: HTTPClientResponse) async throws -> String {
        String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    @Test func anAnswerComesBackWholeAndItsConnectionIsUsedAgain() async throws {
        let server = try await ScriptedHTTPServer()
        let client = ProviderClient()
        defer { client.shutdown() }
        for index in 0..<5 {
            let request = ProviderRequest(
                method: .POST, url: "http://127.0.0.1:\(server.port)/v1/echo?n=\(index)",
                headers: ["Content-Type": "application/json"], body: ByteBuffer(string: #"{"a":"ب"}"#))
            let response = try await client.execute(request, timeout: .seconds(5))
            #expect(response.status == .ok)
            #expect(try await text(response) == "مرحبا /v1/echo?n=\(index)")
        }
        #expect(server.connections.load(ordering: .relaxed) == 1)
        #expect(server.requests.load(ordering: .relaxed) == 5)
        let first = try #require(server.received.withLock { $0.first })
        #expect(first == #"POST /v1/echo?n=0 host=127.0.0.1:\#(server.port) {"a":"ب"}"#)
        try await server.stop()
    }

    @Test func aServerThatClosesAfterAnsweringGetsANewConnectionNextTime() async throws {
        let server = try await ScriptedHTTPServer()
        let client = ProviderClient()
        defer { client.shutdown() }
        for _ in 0..<3 {
            let response = try await client.execute(
                ProviderRequest(url: "http://127.0.0.1:\(server.port)/close"), timeout: .seconds(5))
            #expect(try await text(response) == "bye")
        }
        #expect(server.connections.load(ordering: .relaxed) == 3)
        try await server.stop()
    }

    @Test func anAnswerThatNeverComesFailsAtTheDeadlineAndItsConnectionIsNotReused() async throws {
        let server = try await ScriptedHTTPServer()
        let client = ProviderClient()
        defer { client.shutdown() }
        let started = ContinuousClock.now
        await #expect(throws: ProviderClientError.deadlineExceeded) {
            _ = try await client.execute(
                ProviderRequest(url: "http://127.0.0.1:\(server.port)/hang"), timeout: .milliseconds(300))
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(250) && waited < .seconds(3))
        // A body that stops coming fails the same way, mid-stream.
        let response = try await client.execute(
            ProviderRequest(url: "http://127.0.0.1:\(server.port)/drip"), timeout: .milliseconds(400))
        await #expect(throws: ProviderClientError.deadlineExceeded) { _ = try await text(response) }
        let fine = try await client.execute(
            ProviderRequest(url: "http://127.0.0.1:\(server.port)/ok"), timeout: .seconds(5))
        #expect(try await text(fine) == "مرحبا /ok")
        #expect(server.connections.load(ordering: .relaxed) == 3)
        try await server.stop()
    }

    @Test func aReaderThatStopsReadingClosesTheConnection() async throws {
        let server = try await ScriptedHTTPServer()
        let client = ProviderClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(server.port)/drip"
        let reader = Task {
            let response = try await client.execute(ProviderRequest(url: url), timeout: .seconds(30))
            for try await _ in response.body {}
        }
        try await eventuallyTrue { client.openConnections(to: url) == 1 }
        reader.cancel()
        _ = await reader.result
        try await eventuallyTrue { client.openConnections(to: url) == 0 }
        try await server.stop()
    }

    @Test func aBodyCutShortIsAnErrorNotAShortAnswer() async throws {
        let server = try await ScriptedHTTPServer()
        let client = ProviderClient()
        defer { client.shutdown() }
        let response = try await client.execute(
            ProviderRequest(url: "http://127.0.0.1:\(server.port)/cut"), timeout: .seconds(5))
        await #expect(throws: (any Error).self) { _ = try await text(response) }
        try await server.stop()
    }

    @Test func requestsBeyondTheConnectionLimitWaitForAFreeOne() async throws {
        let server = try await ScriptedHTTPServer()
        var configuration = ProviderClient.Configuration()
        configuration.connectionsPerHost = 2
        let client = ProviderClient(configuration: configuration)
        defer { client.shutdown() }
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let response = try await client.execute(
                        ProviderRequest(url: "http://127.0.0.1:\(server.port)/n\(index)"), timeout: .seconds(5))
                    return try await self.text(response)
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(answers.count == 20)
        #expect(server.connections.load(ordering: .relaxed) <= 2)
        // A waiter whose deadline passes gives up without taking a connection.
        let url = "http://127.0.0.1:\(server.port)/hang"
        async let first = try? client.execute(ProviderRequest(url: url), timeout: .seconds(2))
        async let second = try? client.execute(ProviderRequest(url: url), timeout: .seconds(2))
        try await eventuallyTrue { server.requests.load(ordering: .relaxed) == 22 }
        await #expect(throws: ProviderClientError.deadlineExceeded) {
            _ = try await client.execute(
                ProviderRequest(url: "http://127.0.0.1:\(server.port)/ok"), timeout: .milliseconds(200))
        }
        _ = await (first, second)
        try await server.stop()
    }

    @Test func aMalformedURLIsRefusedBeforeAnythingIsSent() async throws {
        let client = ProviderClient()
        for url in ["ftp://example.com/x", "http://", "https://host:notaport/", "example.com/v1", "http://[::1/x"] {
            await #expect(throws: ProviderClientError.invalidURL(url)) {
                _ = try await client.execute(ProviderRequest(url: url), timeout: .seconds(1))
            }
        }
    }

    @Test func httpsIsVerifiedAgainstTheTrustedRoots() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        let openssl = try #require(ChildProcess.onPath("openssl"), "openssl makes the test's certificate")
        let made = try await ChildProcess.run(
            openssl,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost",
            ], timeout: .seconds(30))
        #expect(made.termination.succeeded, "\(made.output)")
        let chain = try NIOSSLCertificate.fromPEMFile(certificate)
        let server = try await ScriptedHTTPServer(
            tls: NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: chain.map { .certificate($0) }, privateKey: .file(key))))

        // The system's roots do not know this certificate: refused.
        let untrusting = ProviderClient()
        defer { untrusting.shutdown() }
        await #expect(throws: (any Error).self) {
            _ = try await untrusting.execute(
                ProviderRequest(url: "https://localhost:\(server.port)/ok"), timeout: .seconds(5))
        }
        #expect(server.requests.load(ordering: .relaxed) == 0)

        var configuration = ProviderClient.Configuration()
        configuration.tls.trustRoots = .certificates(chain)
        let trusting = ProviderClient(configuration: configuration)
        defer { trusting.shutdown() }
        let response = try await trusting.execute(
            ProviderRequest(url: "https://localhost:\(server.port)/secure"), timeout: .seconds(5))
        #expect(try await text(response) == "مرحبا /secure")
        try await server.stop()
    }

    func eventuallyTrue(_ condition: () -> Bool) async throws {
        for _ in 0..<300 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition never held")
    }
}
