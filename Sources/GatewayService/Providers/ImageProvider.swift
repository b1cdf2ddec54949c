import Core
import Foundation

struct GeneratedImage: Sendable {
    let data: Data
    let mimeType: String
}

struct ImageRequest: Sendable {
    let upstreamModel: String
    let prompt: String
    let count: Int
    let aspectRatio: String
    /// The user's picture to edit (`input_file_id`), sent to providers that can edit.
    var input: InputImage? = nil
}

struct InputImage: Sendable, Equatable {
    let data: Data
    let mimeType: String
}

/// An image backend: Nano Banana (Gemini image), or the local demo.
protocol ImageProvider: Sendable {
    var name: String { get }
    /// Whether it can take a picture to edit (`ImageRequest.input`).
    var canEdit: Bool { get }
    func generate(_ request: ImageRequest) async throws -> [GeneratedImage]
}

extension ImageProvider {
    var canEdit: Bool { false }
}

/// The offline demo: a PNG drawn on this machine, its colours taken from the prompt, so the image
/// page works without any key. Labelled "demo" in the catalogue.
struct DemoImageProvider: ImageProvider {
    let name = "demo"

    func generate(_ request: ImageRequest) async throws -> [GeneratedImage] {
        let (width, height) = Self.size(request.aspectRatio)
        return (0..<request.count).map { index in
            GeneratedImage(
                data: Self.draw(width: width, height: height, seed: request.prompt + "#\(index)"), mimeType: "image/png"
            )
        }
    }

    static func size(_ aspect: String) -> (Int, Int) {
        let parts = aspect.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { return (384, 384) }
        let ratio = parts[0] / parts[1]
        return ratio >= 1 ? (384, Int(384 / ratio)) : (Int(384 * ratio), 384)
    }

    /// A diagonal gradient between two colours derived from the prompt, with a soft disc.
    static func draw(width: Int, height: Int, seed: String) -> Data {
        var hash: UInt64 = 1_469_598_103_934_665_603
        for byte in seed.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let from = [
            UInt8(truncatingIfNeeded: hash), UInt8(truncatingIfNeeded: hash >> 8),
            UInt8(truncatingIfNeeded: hash >> 16),
        ]
        let to = [
            UInt8(truncatingIfNeeded: hash >> 24), UInt8(truncatingIfNeeded: hash >> 32),
            UInt8(truncatingIfNeeded: hash >> 40),
        ]
        let cx = Double(width) * (0.3 + Double((hash >> 48) & 0xFF) / 640)
        let cy = Double(height) * (0.3 + Double((hash >> 56) & 0xFF) / 640)
        let radius = Double(min(width, height)) * 0.28
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let t = Double(x + y) / Double(width + height)
                let distance = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot()
                let glow = max(0, 1 - distance / radius) * 0.55
                let offset = (y * width + x) * 4
                for channel in 0..<3 {
                    let base = Double(from[channel]) * (1 - t) + Double(to[channel]) * t
                    pixels[offset + channel] = UInt8(min(255, base + (255 - base) * glow))
                }
            }
        }
        return PNGEncoder.encode(width: width, height: height, rgba: pixels)
    }
}
