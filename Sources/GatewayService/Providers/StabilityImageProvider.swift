import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Stability AI's Stable Image: `POST /v2beta/stable-image/generate/{core|ultra|sd3}` as multipart/form-data,
/// answered as JSON with a base64 `image` and a `finish_reason`. One call per image.
struct StabilityImageProvider: ImageProvider {
    let name = "stability"
    let apiKey: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    /// The studio's ratios Stability does not take, mapped to its nearest ones.
    static let nearestAspectRatio = ["3:4": "4:5", "4:3": "5:4"]

    func generate(_ request: ImageRequest) async throws -> [GeneratedImage] {
        var images: [GeneratedImage] = []
        for _ in 0..<request.count { images.append(try await generateOne(request)) }
        return images
    }

    func generateOne(_ request: ImageRequest) async throws -> GeneratedImage {
        // The upstream is an endpoint (`core`, `ultra`, `sd3`) or an SD3 model id such as `sd3.5-large`.
        let upstream = request.upstreamModel
        let endpoint = upstream.hasPrefix("sd3") ? "sd3" : upstream
        var fields = [
            ("prompt", request.prompt),
            ("aspect_ratio", Self.nearestAspectRatio[request.aspectRatio] ?? request.aspectRatio),
            ("output_format", "png"),
        ]
        if endpoint == "sd3" && upstream != "sd3" { fields.append(("model", upstream)) }
        let form = MultipartForm(fields: fields)
        var http = ProviderRequest(
            method: .POST, url: baseURL.trimmingSuffix("/") + "/v2beta/stable-image/generate/\(endpoint)")
        http.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        http.headers.add(name: "Accept", value: "application/json")
        http.headers.add(name: "Content-Type", value: form.contentType)
        OutgoingHTTP.addTraceparent(to: &http.headers)
        http.body = ByteBuffer(bytes: form.body)
        let response: HTTPClientResponse
        do {
            response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        } catch ProviderError.rejected(_, 403, _) {
            // 403 is Stability's content moderation refusing the prompt.
            throw ProviderError.refused(provider: name, reason: "content_moderation")
        }
        guard let buffer = try? await response.body.collect(upTo: 64 << 20),
            let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
        else { throw ProviderError.unavailable(provider: name, status: 200) }
        let reason = json["finish_reason"] as? String ?? "SUCCESS"
        if reason == "CONTENT_FILTERED" { throw ProviderError.refused(provider: name, reason: reason) }
        guard reason == "SUCCESS", let encoded = json["image"] as? String, let data = Data(base64Encoded: encoded)
        else { throw ProviderError.unavailable(provider: name, status: 200) }
        return GeneratedImage(data: data, mimeType: "image/png")
    }
}

/// A multipart/form-data body of text fields.
struct MultipartForm {
    let boundary = "studio-" + UUID().uuidString
    let fields: [(String, String)]

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    var body: Data {
        var out = Data()
        for (name, value) in fields {
            out.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8))
            out.append(Data(value.utf8))
            out.append(Data("\r\n".utf8))
        }
        out.append(Data("--\(boundary)--\r\n".utf8))
        return out
    }
}
