import Crypto
import Foundation

extension UUID {
    /// A UUID fixed by `base` and `label` (name-based, from SHA-256): a job that runs twice names its result
    /// file the same both times, so at-least-once delivery still gives one result.
    public init(derivedFrom base: UUID, _ label: String) {
        var input = Data(base.uuidString.lowercased().utf8)
        input.append(contentsOf: Array(":\(label)".utf8))
        var bytes = Array(SHA256.hash(data: input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom, name-based
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        self.init(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
