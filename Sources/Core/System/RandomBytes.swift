import CSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Random bytes from the kernel's generator (`getrandom`), fetched 4 kB at a time. Every request makes
/// several ids (its trace and spans, the rate limit's entry, the reservation, the conversation), and
/// drawing each from the system generator cost a system call per eight bytes (and Foundation's `UUID()`
/// opened, read and closed `/dev/urandom`): about a dozen calls a request. Bytes are handed out once and
/// never reused; the buffer is refilled when it runs out.
public enum RandomBytes {
    private struct Pool {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
    }

    private static let pool = Mutex(Pool())

    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < buffer.count {
            pool.withLock { pool in
                if pool.next == pool.bytes.count {
                    pool.bytes.withUnsafeMutableBytes { refill($0) }
                    pool.next = 0
                }
                let count = min(buffer.count - filled, pool.bytes.count - pool.next)
                pool.bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.advanced(by: filled).copyMemory(
                        from: source.baseAddress!.advanced(by: pool.next), byteCount: count)
                }
                // What was handed out is not kept.
                for index in pool.next..<pool.next + count { pool.bytes[index] = 0 }
                pool.next += count
                filled += count
            }
        }
    }

    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }

    public static func uint64() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }

    /// A version 4 (random) UUID.
    public static func uuid() -> UUID {
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { fill($0) }
        raw.6 = (raw.6 & 0x0F) | 0x40
        raw.8 = (raw.8 & 0x3F) | 0x80
        return UUID(uuid: raw)
    }

    private static func refill(_ buffer: UnsafeMutableRawBufferPointer) {
        var filled = 0
        while filled < buffer.count {
            let got = cspawn_getrandom(buffer.baseAddress!.advanced(by: filled), buffer.count - filled)
            if got > 0 {
                filled += got
            } else if got < 0 && errno != EINTR {
                // No kernel generator at all: the system's generator (which reports the failure itself).
                var generator = SystemRandomNumberGenerator()
                while filled < buffer.count {
                    buffer[filled] = UInt8(truncatingIfNeeded: generator.next())
                    filled += 1
                }
            }
        }
    }
}
