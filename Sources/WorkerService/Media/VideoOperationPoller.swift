import AsyncHTTPClient
import Core
import Foundation

/// What a provider's long-running video operation says when asked.
enum VideoOperationOutcome: Equatable {
    case pending
    case video(uri: String)
    case failed(String)
}

/// Asks one provider about an operation it started, and fetches the finished clip.
protocol VideoOperationPoller: Sendable {
    func poll(_ operation: String) async throws -> VideoOperationOutcome
    func download(_ uri: String) async throws -> Data
}

struct VideoPollError: Error, CustomStringConvertible {
    let code: Int
    var description: String { "the video provider answered \(code)" }
}

/// Veo through the Gemini API: `GET /v1beta/{operation}`; the clip is an authenticated Files API link.
struct VeoPoller: VideoOperationPoller {
    let apiKey: String
    let baseURL: String
    let client: HTTPClient

    /// Reads the operation: `done`, then `response.generateVideoResponse.generatedSamples[0].video.uri`,
    /// or `error`, or safety filtering (`raiMediaFilteredCount`).
    func poll(_ operation: String) async throws -> VideoOperationOutcome {
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + "/v1beta/" + operation)
        request.headers.add(name: "x-goog-api-key", value: apiKey)
        OutgoingHTTP.addTraceparent(to: &request.headers)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status.code == 200,
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { throw VideoPollError(code: Int(response.status.code)) }
        guard json["done"] as? Bool == true else { return .pending }
        if let error = json["error"] as? [String: Any] {
            return .failed("the provider could not make the video (\(error["code"] as? Int ?? 0))")
        }
        let result = (json["response"] as? [String: Any])?["generateVideoResponse"] as? [String: Any] ?? [:]
        if let uri = ((result["generatedSamples"] as? [[String: Any]])?.first?["video"] as? [String: Any])?["uri"]
            as? String
        {
            return .video(uri: uri)
        }
        if (result["raiMediaFilteredCount"] as? Int ?? 0) > 0 {
            return .failed("the video was blocked by the provider's safety filters")
        }
        return .failed("the provider returned no video")
    }

    func download(_ uri: String) async throws -> Data {
        try await fetch(uri, headers: [("x-goog-api-key", apiKey)], client: client)
    }
}

/// Runway: `GET /v1/tasks/{id}` (Bearer key, `X-Runway-Version`), a union on `status`: PENDING,
/// THROTTLED, RUNNING, SUCCEEDED with `output` links (they expire within a day or two, so the clip
/// is fetched at once), FAILED with `failure`/`failureCode`, CANCELLED.
struct RunwayPoller: VideoOperationPoller {
    static let apiVersion = "2024-11-06"
    let apiKey: String
    let baseURL: String
    let client: HTTPClient

    func poll(_ operation: String) async throws -> VideoOperationOutcome {
        guard operation.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            return .failed("the provider's task id is not valid")
        }
        var request = HTTPClientRequest(url: baseURL.trimmingSuffix("/") + "/v1/tasks/" + operation)
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "X-Runway-Version", value: Self.apiVersion)
        OutgoingHTTP.addTraceparent(to: &request.headers)
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status.code == 200,
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        else { throw VideoPollError(code: Int(response.status.code)) }
        switch json["status"] as? String ?? "" {
        case "SUCCEEDED":
            guard let uri = (json["output"] as? [String])?.first else {
                return .failed("the provider returned no video")
            }
            return .video(uri: uri)
        case "FAILED":
            let code = json["failureCode"] as? String
            if code?.hasPrefix("SAFETY") == true {
                return .failed("the video was blocked by the provider's safety filters")
            }
            return .failed("the provider could not make the video (\(code ?? json["failure"] as? String ?? "failed"))")
        case "CANCELLED":
            return .failed("the provider canceled the video")
        default:
            return .pending
        }
    }

    /// The output link is signed; it needs no key.
    func download(_ uri: String) async throws -> Data {
        try await fetch(uri, headers: [], client: client)
    }
}

private func fetch(_ uri: String, headers: [(String, String)], client: HTTPClient) async throws -> Data {
    var request = HTTPClientRequest(url: uri)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await client.execute(request, timeout: .seconds(120))
    guard response.status.code == 200 else { throw VideoPollError(code: Int(response.status.code)) }
    return Data(try await response.body.collect(upTo: 200 << 20).readableBytesView)
}
