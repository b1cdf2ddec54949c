import Foundation

/// The pixel size of a PNG (its IHDR chunk) or a baseline or progressive JPEG (its SOF segment),
/// read from the header alone: enough to place a picture in a document at the right shape.
public enum PictureSize {
    public static func of(_ data: Data) -> (width: Int, height: Int, format: FileType)? {
        let bytes = [UInt8](data.prefix(1 << 20))
        func big16(_ at: Int) -> Int { Int(bytes[at]) << 8 | Int(bytes[at + 1]) }
        func big32(_ at: Int) -> Int { big16(at) << 16 | big16(at + 2) }
        let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 24, Array(bytes[0..<8]) == pngSignature, Array(bytes[12..<16]) == Array("IHDR".utf8) {
            return (big32(16), big32(20), .png)
        }
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            if marker == 0xFF {  // fill byte
                index += 1
                continue
            }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 {  // no length
                index += 2
                continue
            }
            let length = big16(index + 2)
            // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (big16(index + 7), big16(index + 5), .jpeg)
            }
            if marker == 0xDA || length < 2 { return nil }  // image data before any frame header
            index += 2 + length
        }
        return nil
    }
}
