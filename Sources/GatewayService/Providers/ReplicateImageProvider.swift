import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Replicate predictions: one `POST /v1/models/{owner}/{name}/predictions` with `Prefer: wait` asks for
/// every image at once; an unfinished prediction is polled at `urls.get`, then each output URL is downloaded.
/// The whole call, polling and downloads included, ends within `timeout`.
struct ReplicateImageProvider: ImageProvider {
    let name = "replicate"
    let apiKey: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount
    var pollInterval: TimeAmount = .seconds(1)

    func generate(_ request: ImageRequest) async throws -> [GeneratedImage] {
        let deadline = NIODeadline.now() + timeout
        var prediction = try await create(request, deadline: deadline)
        while !prediction.isFinished {
            guard NIODeadline.now() + pollInterval < deadline else {
                await cancel(prediction)
                throw ProviderError.timeout(provider: name)
            }
            try await Task.sleep(nanoseconds: UInt64(pollInterval.nanoseconds))
            var poll = ProviderRequest(url: prediction.getURL ?? predictionURL(prediction.id))
            authorize(&poll)
            let response = try await ProviderHTTP.execute(
                poll, client: client, timeout: remaining(deadline), provider: name)
            prediction = try await ReplicatePrediction(decoding: response, provider: name)
        }
        switch prediction.status {
        case "succeeded":
            return try await download(prediction.output, deadline: deadline)
        case "failed" where ReplicatePrediction.isSafetyError(prediction.error):
            throw ProviderError.refused(provider: name, reason: "nsfw")
        default:
            throw ProviderError.unavailable(provider: name, status: 200)
        }
    }

    func create(_ request: ImageRequest, deadline: NIODeadline) async throws -> ReplicatePrediction {
        let input: [String: Any] = [
            "prompt": request.prompt, "aspect_ratio": request.aspectRatio, "num_outputs": request.count,
            "output_format": "png",
        ]
        // "owner/name" is an official model; "owner/name:version" pins one version.
        let parts = request.upstreamModel.split(separator: ":", maxSplits: 1).map(String.init)
        let url: String
        let body: [String: Any]
        if parts.count == 2 {
            url = baseURL.trimmingSuffix("/") + "/v1/predictions"
            body = ["version": parts[1], "input": input]
        } else {
            url = baseURL.trimmingSuffix("/") + "/v1/models/\(request.upstreamModel)/predictions"
            body = ["input": input]
        }
        var http = ProviderRequest(method: .POST, url: url)
        authorize(&http)
        http.headers.add(name: "Content-Type", value: "application/json")
        let seconds = max(1, min(60, timeout.nanoseconds / 1_000_000_000))
        http.headers.add(name: "Prefer", value: "wait=\(seconds)")
        OutgoingHTTP.addTraceparent(to: &http.headers)
        http.body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        return try await ReplicatePrediction(
            decoding: try await executeCreate(http, deadline: deadline), provider: name)
    }

    /// A new prediction answers `201 Created` (a finished one under `Prefer: wait` may answer 200).
    func executeCreate(_ http: ProviderRequest, deadline: NIODeadline) async throws -> HTTPClientResponse {
        try await ProviderHTTP.execute(
            http, client: client, timeout: max(deadline - .now(), .milliseconds(1)), provider: name,
            accepting: 200...202)
    }

    /// Output files are public links on Replicate's delivery host, so they are fetched without the API token.
    /// A link that fails is skipped: only images that arrive are stored and counted.
    func download(_ urls: [String], deadline: NIODeadline) async throws -> [GeneratedImage] {
        var images: [GeneratedImage] = []
        var firstError: (any Error)?
        for url in urls {
            do {
                let response = try await ProviderHTTP.execute(
                    ProviderRequest(url: url), client: client, timeout: remaining(deadline), provider: name)
                let buffer = try await response.body.collect(upTo: 64 << 20)
                images.append(
                    GeneratedImage(
                        data: Data(buffer.readableBytesView),
                        mimeType: response.headers.first(name: "content-type") ?? "image/png"))
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                firstError = firstError ?? error
            }
        }
        if images.isEmpty { throw firstError ?? ProviderError.unavailable(provider: name, status: 200) }
        return images
    }

    /// Stops a prediction we no longer wait for, so it is not billed to the end.
    func cancel(_ prediction: ReplicatePrediction) async {
        var http = ProviderRequest(method: .POST, url: prediction.cancelURL ?? predictionURL(prediction.id) + "/cancel")
        authorize(&http)
        _ = try? await client.execute(http, timeout: .seconds(5))
    }

    func authorize(_ http: inout ProviderRequest) {
        http.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
    }

    func predictionURL(_ id: String) -> String {
        baseURL.trimmingSuffix("/") + "/v1/predictions/\(id)"
    }

    func remaining(_ deadline: NIODeadline) -> TimeAmount {
        max(.milliseconds(1), deadline - .now())
    }
}

/// The fields of a Replicate prediction object the provider needs.
struct ReplicatePrediction {
    let id: String
    let status: String
    let output: [String]
    let error: String?
    let getURL: String?
    let cancelURL: String?

    var isFinished: Bool { !["starting", "processing"].contains(status) }

    init(decoding response: HTTPClientResponse, provider: String) async throws {
        guard let buffer = try? await response.body.collect(upTo: 1 << 20),
            let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
            let status = json["status"] as? String
        else { throw ProviderError.unavailable(provider: provider, status: 200) }
        id = json["id"] as? String ?? ""
        self.status = status
        // Image models answer with one URL or a list of them.
        if let list = json["output"] as? [Any] {
            output = list.compactMap { $0 as? String }
        } else {
            output = (json["output"] as? String).map { [$0] } ?? []
        }
        error = json["error"] as? String
        let urls = json["urls"] as? [String: Any]
        getURL = urls?["get"] as? String
        cancelURL = urls?["cancel"] as? String
    }

    /// Replicate reports its safety checker in the error text: "NSFW content detected", or
    /// "flagged as sensitive (E005)".
    static func isSafetyError(_ error: String?) -> Bool {
        guard let text = error?.lowercased() else { return false }
        return ["nsfw", "sensitive", "safety", "e005"].contains { text.contains($0) }
    }
}
