import AsyncHTTPClient
import Core
import Foundation
import NIOCore

struct VideoRequest: Sendable {
    let upstreamModel: String
    let prompt: String
    let durationSeconds: Int
    let aspectRatio: String
}

/// A video backend. Starting returns the provider's long-running operation (polled by the worker),
/// or nil when the clip is made on this machine.
protocol VideoProvider: Sendable {
    var name: String { get }
    func start(_ request: VideoRequest) async throws -> String?
}

/// The offline demo: the worker draws the clip with ffmpeg (`video_demo`); nothing to call here.
struct DemoVideoProvider: VideoProvider {
    let name = "demo"
    func start(_ request: VideoRequest) async throws -> String? { nil }
}

/// Veo through the Gemini API: `predictLongRunning` answers with an operation name to poll.
struct VeoVideoProvider: VideoProvider {
    let name = "google"
    let apiKey: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    func start(_ request: VideoRequest) async throws -> String? {
        let body: [String: Any] = [
            "instances": [["prompt": request.prompt]],
            "parameters": [
                "aspectRatio": request.aspectRatio, "durationSeconds": request.durationSeconds, "sampleCount": 1,
            ],
        ]
        let http = try ProviderHTTP.jsonPOST(
            baseURL, "/v1beta/models/\(request.upstreamModel):predictLongRunning",
            headers: [("x-goog-api-key", apiKey)],
            body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        let buffer = try await response.body.collect(upTo: 1 << 20)
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
            let operation = json["name"] as? String, !operation.isEmpty
        else { throw ProviderError.unavailable(provider: name, status: 200) }
        return operation
    }
}

/// Runway's API: `POST /v1/text_to_video` (Bearer key and the required `X-Runway-Version`) answers
/// with a task id that the worker polls at `GET /v1/tasks/{id}`.
struct RunwayVideoProvider: VideoProvider {
    static let apiVersion = "2024-11-06"
    let name = "runway"
    let apiKey: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    /// Runway's frame sizes for the studio's two shapes.
    static func ratio(_ aspect: String) -> String { aspect == "9:16" ? "720:1280" : "1280:720" }

    /// Runway makes 5 or 10 second clips: the nearer one.
    static func duration(_ seconds: Int) -> Int { seconds <= 7 ? 5 : 10 }

    func start(_ request: VideoRequest) async throws -> String? {
        let body: [String: Any] = [
            "model": request.upstreamModel, "promptText": request.prompt, "ratio": Self.ratio(request.aspectRatio),
            "duration": Self.duration(request.durationSeconds),
        ]
        let http = try ProviderHTTP.jsonPOST(
            baseURL, "/v1/text_to_video",
            headers: [("Authorization", "Bearer \(apiKey)"), ("X-Runway-Version", Self.apiVersion)], body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        let buffer = try await response.body.collect(upTo: 1 << 20)
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
            let task = json["id"] as? String, !task.isEmpty
        else { throw ProviderError.unavailable(provider: name, status: 200) }
        return task
    }
}

/// Pika: a stub that keeps the interface. Pika has no first-party public API (its developer page points
/// to third-party hosts), so no key turns it on; the catalogue lists it as not connected and a start
/// fails like an unavailable provider, which sends a fallback chain on to the next model.
struct PikaVideoProvider: VideoProvider {
    let name = "pika"

    func start(_ request: VideoRequest) async throws -> String? {
        throw ProviderError.unavailable(provider: name, status: 501)
    }
}
