import Core
import Foundation
import Testing

struct RandomBytesTests {
    @Test func uuidsAreVersionFourAndNeverRepeat() {
        var seen = Set<UUID>()
        for _ in 0..<20_000 {
            let id = RandomBytes.uuid()
            let text = id.uuidString.lowercased()
            // Version 4 in the third group's first digit; variant bits 10 in the fourth's (RFC 9562).
            let parts = text.split(separator: "-")
            #expect(parts[2].first == "4")
            #expect("89ab".contains(parts[3].first!))
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
    }

    @Test func drawsAcrossRefillsAreNotRepeatedAndLookUniform() {
        // 64 kB: sixteen refills of the 4 kB pool, drawn in odd sizes so draws straddle refills.
        var all: [UInt8] = []
        var chunks = Set<[UInt8]>()
        while all.count < 65_536 {
            let chunk = RandomBytes.bytes(37)
            chunks.insert(chunk)
            all += chunk
        }
        #expect(chunks.count == (all.count / 37))
        var counts = [Int](repeating: 0, count: 256)
        for byte in all { counts[Int(byte)] += 1 }
        // About 256 of each value; a pool handed out twice, or zeros, would be far off.
        let expected = Double(all.count) / 256
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        #expect(chiSquare < 400, "chi-square \(chiSquare) over 255 degrees of freedom")
    }
}
