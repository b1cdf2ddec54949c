import Core
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake Replicate API in the real wire format: predictions created at `/v1/models/{owner}/{name}/predictions`
/// answer `201 Created` with a prediction object, polled at its `urls.get`, whose output URLs serve PNGs from a
/// delivery path on the same server. The prompt picks the behaviour: `slow` answers `starting`, then `processing`
/// on the first poll and `succeeded` on the second; `unsafe` fails with the NSFW checker's error; `broken` fails
/// with a model error; `half` has its second output link answer 404.
final class FakeReplicate: Sendable {
    static let token = "r8_fake_test"
    let creates = Mutex<[ProviderCall]>([])
    let polls = Atomic<Int>(0)
    let downloads = Mutex<[ProviderCall]>([])
    /// Per unfinished prediction: how often it was polled, and its input as JSON.
    let pending = Mutex<[String: (polls: Int, input: Data)]>([:])

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v1/models/:owner/:name/predictions") { request, context -> Response in
            let call = try await ProviderCall(request)
            self.creates.withLock { $0.append(call) }
            guard request.headers[.authorization] == "Bearer \(Self.token)" else { return Self.unauthenticated() }
            let input = call.json["input"] as? [String: Any] ?? [:]
            let prompt = input["prompt"] as? String ?? ""
            let id = "fake\(UUID().uuidString.prefix(8).lowercased())"
            let host = "http://\(request.head.authority ?? "127.0.0.1")"
            let model = "\(context.parameters.get("owner") ?? "")/\(context.parameters.get("name") ?? "")"
            let status = prompt.contains("slow") ? "starting" : Self.finalStatus(prompt)
            if status == "starting" {
                let data = try JSONSerialization.data(withJSONObject: input)
                self.pending.withLock { $0[id] = (0, data) }
            }
            return Self.prediction(
                id: id, host: host, model: model, input: input, status: status, created: true)
        }
        router.get("/v1/predictions/:id") { request, context -> Response in
            self.polls.add(1, ordering: .relaxed)
            guard request.headers[.authorization] == "Bearer \(Self.token)" else { return Self.unauthenticated() }
            let id = context.parameters.get("id") ?? ""
            guard
                let entry = self.pending.withLock({ pending -> (polls: Int, input: Data)? in
                    pending[id]?.polls += 1
                    return pending[id]
                })
            else {
                return Response(status: .notFound)
            }
            let host = "http://\(request.head.authority ?? "127.0.0.1")"
            let input = try JSONSerialization.jsonObject(with: entry.input) as? [String: Any] ?? [:]
            return Self.prediction(
                id: id, host: host, model: "black-forest-labs/flux-schnell", input: input,
                status: entry.polls < 2 ? "processing" : "succeeded", created: false)
        }
        router.get("/delivery/:id/:file") { request, context -> Response in
            self.downloads.withLock { $0.append(ProviderCall(head: request)) }
            guard context.parameters.get("file") != "missing.png" else { return Response(status: .notFound) }
            return Response(
                status: .ok, headers: [.contentType: "image/png"],
                body: .init(byteBuffer: ByteBuffer(bytes: Self.png)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static let png = PNGEncoder.encode(width: 2, height: 2, rgba: [UInt8](repeating: 120, count: 16))

    static func finalStatus(_ prompt: String) -> String {
        prompt.contains("unsafe") || prompt.contains("broken") ? "failed" : "succeeded"
    }

    static func prediction(
        id: String, host: String, model: String, input: [String: Any], status: String, created: Bool
    ) -> Response {
        let prompt = input["prompt"] as? String ?? ""
        let count = input["num_outputs"] as? Int ?? 1
        var output: Any = NSNull()
        var error: Any = NSNull()
        if status == "succeeded" {
            output = (0..<count).map { index in
                "\(host)/delivery/\(id)/\(prompt.contains("half") && index == 1 ? "missing" : "out-\(index)").png"
            }
        } else if status == "failed" {
            error =
                prompt.contains("unsafe")
                ? "NSFW content detected. Try running it again, or try a different prompt."
                : "CUDA error: out of memory"
        }
        let urls: [String: String] = [
            "get": "\(host)/v1/predictions/\(id)", "cancel": "\(host)/v1/predictions/\(id)/cancel",
            "web": "https://replicate.com/p/\(id)",
        ]
        let metrics: [String: Double] = status == "succeeded" ? ["predict_time": 0.6] : [:]
        var object: [String: Any] = ["id": id, "model": model, "version": "hidden", "input": input, "logs": ""]
        object["output"] = output
        object["error"] = error
        object["status"] = status
        object["created_at"] = "2025-06-01T10:00:00.000Z"
        object["data_removed"] = false
        object["source"] = "api"
        object["metrics"] = metrics
        object["urls"] = urls
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(
            status: created ? .created : .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func unauthenticated() -> Response {
        let body = #"{"title":"Unauthenticated","detail":"You did not pass a valid authentication token","status":401}"#
        return Response(
            status: .unauthorized, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// One request as an image fake received it, headers included.
struct ProviderCall: Sendable {
    let path: String
    let headers: HTTPFields
    let body: Data

    init(_ request: Request) async throws {
        path = request.uri.path
        headers = request.headers
        body = Data(try await request.body.collect(upTo: 1 << 20).readableBytesView)
    }

    init(head request: Request) {
        path = request.uri.path
        headers = request.headers
        body = Data()
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}
