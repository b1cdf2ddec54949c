import AsyncHTTPClient
import Core
import Foundation
import NIOCore

/// Nano Banana: Gemini's image model through `generateContent` with `responseModalities: ["IMAGE"]`;
/// images come back as base64 `inlineData` parts. One call per image. A picture to edit goes as an
/// `inlineData` part next to the instruction.
struct GeminiImageProvider: ImageProvider {
    let name = "google"
    let canEdit = true
    let apiKey: String
    let baseURL: String
    let client: HTTPClient
    let timeout: TimeAmount

    func generate(_ request: ImageRequest) async throws -> [GeneratedImage] {
        var images: [GeneratedImage] = []
        for _ in 0..<request.count { images += try await generateOne(request) }
        return images
    }

    func generateOne(_ request: ImageRequest) async throws -> [GeneratedImage] {
        var asked: [[String: Any]] = [["text": request.prompt]]
        if let input = request.input {
            asked.append(["inlineData": ["mimeType": input.mimeType, "data": input.data.base64EncodedString()]])
        }
        let body: [String: Any] = [
            "contents": [["role": "user", "parts": asked]],
            "generationConfig": ["responseModalities": ["IMAGE"], "imageConfig": ["aspectRatio": request.aspectRatio]],
        ]
        let http = try ProviderHTTP.jsonPOST(
            baseURL, "/v1beta/models/\(request.upstreamModel):generateContent", headers: [("x-goog-api-key", apiKey)],
            body: body)
        let response = try await ProviderHTTP.execute(http, client: client, timeout: timeout, provider: name)
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ProviderError.unavailable(provider: name, status: 0)
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
            let candidate = (json["candidates"] as? [[String: Any]])?.first
        else { throw ProviderError.unavailable(provider: name, status: 200) }
        let parts = (candidate["content"] as? [String: Any])?["parts"] as? [[String: Any]] ?? []
        let images = parts.compactMap { part -> GeneratedImage? in
            guard let inline = part["inlineData"] as? [String: Any], let encoded = inline["data"] as? String,
                let data = Data(base64Encoded: encoded)
            else { return nil }
            return GeneratedImage(data: data, mimeType: inline["mimeType"] as? String ?? "image/png")
        }
        if images.isEmpty {
            // IMAGE_SAFETY, IMAGE_PROHIBITED_CONTENT, NO_IMAGE …: the provider declined to draw it.
            let reason = candidate["finishReason"] as? String ?? "NO_IMAGE"
            if reason.contains("SAFETY") || reason.contains("PROHIBITED") || reason.contains("BLOCKLIST") {
                throw ProviderError.refused(provider: name, reason: reason)
            }
            throw ProviderError.unavailable(provider: name, status: 200)
        }
        return images
    }
}
