import Foundation

/// A TCP port on 127.0.0.1 that nothing listens on right now. With `range`, a port from it (tried at
/// random); otherwise one the system picks from its ephemeral range.
public func freeLoopbackPort(in range: Range<Int>? = nil) throws -> Int {
    guard let range else { return try bindLoopback(port: 0) }
    for _ in 0..<200 {
        if let port = try? bindLoopback(port: Int.random(in: range)) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

/// Binds 127.0.0.1:`port` (0: any) for a moment; returns the port bound.
private func bindLoopback(port: Int) throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EMFILE) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
