import Core
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake Stability AI `POST /v2beta/stable-image/generate/{core|ultra|sd3}` in the real wire format: it reads
/// the multipart/form-data fields and answers `Accept: application/json` with a base64 `image` and a
/// `finish_reason`. A prompt with `unsafe` comes back `CONTENT_FILTERED`; errors use Stability's
/// `{"id", "name", "errors"}` shape.
final class FakeStability: Sendable {
    static let apiKey = "sk-stability-fake"
    let calls = Mutex<[ProviderCall]>([])

    /// The form fields of every call, in order.
    var forms: [[String: String]] {
        calls.withLock { $0 }.map { call in
            Self.formFields(call.body, contentType: call.header("content-type") ?? "")
        }
    }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/v2beta/stable-image/generate/:endpoint") { request, context -> Response in
            let call = try await ProviderCall(request)
            self.calls.withLock { $0.append(call) }
            let auth = call.header("authorization") ?? ""
            guard auth == "Bearer \(Self.apiKey)" || auth == Self.apiKey else {
                return Self.error(401, "unauthorized", "authorization: invalid or missing header value")
            }
            guard ["core", "ultra", "sd3"].contains(context.parameters.get("endpoint") ?? "") else {
                return Self.error(404, "not_found", "Not Found")
            }
            let fields = Self.formFields(call.body, contentType: call.header("content-type") ?? "")
            guard let prompt = fields["prompt"], !prompt.isEmpty else {
                return Self.error(400, "bad_request", "prompt: is required")
            }
            guard call.header("accept") == "application/json" else {
                return Self.error(400, "bad_request", "this fake answers application/json only")
            }
            let filtered = prompt.contains("unsafe")
            let object: [String: Any] = [
                "image": PNGEncoder.encode(width: 3, height: 2, rgba: [UInt8](repeating: 90, count: 24))
                    .base64EncodedString(),
                "finish_reason": filtered ? "CONTENT_FILTERED" : "SUCCESS", "seed": 1_234_567,
            ]
            let data = try JSONSerialization.data(withJSONObject: object)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func error(_ status: Int, _ name: String, _ message: String) -> Response {
        let body = #"{"id":"0b5b7a0c3e7f4a8d","name":"\#(name)","errors":["\#(message)"]}"#
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The text fields of a multipart/form-data body; empty when the body is not one.
    static func formFields(_ body: Data, contentType: String) -> [String: String] {
        guard contentType.hasPrefix("multipart/form-data"),
            let boundary = contentType.components(separatedBy: "boundary=").last, !boundary.isEmpty,
            let text = String(data: body, encoding: .utf8), text.hasSuffix("--\(boundary)--\r\n")
        else { return [:] }
        var fields: [String: String] = [:]
        for part in text.components(separatedBy: "--\(boundary)") {
            guard let split = part.range(of: "\r\n\r\n"),
                let name = part[..<split.lowerBound].components(separatedBy: "name=\"").last?
                    .components(separatedBy: "\"").first,
                part.hasSuffix("\r\n")
            else { continue }
            // "\r\n" is one Character: dropping one drops the line break before the next boundary.
            fields[name] = String(part[split.upperBound...].dropLast())
        }
        return fields
    }
}
