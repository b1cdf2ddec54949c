import Crypto
import Foundation

/// A folder on disk standing in for a bucket in local mode. Its download links point at the
/// backend (`/v1/blobs/<area>/<key>`), carry an expiry and an HMAC-SHA256 signature, and stop
/// working when they expire, like S3's presigned URLs.
public struct LocalBlobStore: BlobStore {
    public let root: URL
    public let area: String
    let links: LocalLinkSigner

    public init(root: URL, area: String, links: LocalLinkSigner) {
        self.root = root.appendingPathComponent(area)
        self.area = area
        self.links = links
    }

    func path(_ key: String) throws -> URL {
        try StorageError.check(key)
        return root.appendingPathComponent(key)
    }

    public func put(key: String, data: Data, contentType: String) async throws {
        let file = try path(key)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file, options: .atomic)
    }

    public func get(key: String) async throws -> Data? {
        let file = try path(key)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try Data(contentsOf: file)
    }

    public func head(key: String) async throws -> BlobInfo? {
        let file = try path(key)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path) else { return nil }
        return BlobInfo(size: (attributes[.size] as? NSNumber)?.int64Value ?? 0, contentType: nil)
    }

    public func delete(key: String) async throws {
        try? FileManager.default.removeItem(at: try path(key))
    }

    public func signedDownloadURL(key: String, expiresIn: Int, fileName: String?, now: Date) async throws -> URL {
        try StorageError.check(key)
        return links.url(area: area, key: key, expires: Int(now.timeIntervalSince1970) + expiresIn, fileName: fileName)
    }
}

/// Makes and checks the signatures of local download links.
public struct LocalLinkSigner: Sendable {
    let key: SymmetricKey
    public let baseURL: URL

    /// `secret` is stretched into a key of its own, so the same secret can serve other purposes too.
    public init(secret: String, baseURL: URL) {
        self.key = SymmetricKey(
            data: HMAC<SHA256>.authenticationCode(
                for: Data("local-file-links".utf8), using: SymmetricKey(data: Data(secret.utf8))))
        self.baseURL = baseURL
    }

    func signature(area: String, key blobKey: String, expires: Int, fileName: String?) -> String {
        let message = "\(area)\n\(blobKey)\n\(expires)\n\(fileName ?? "")"
        return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)).hexString
    }

    public func url(area: String, key blobKey: String, expires: Int, fileName: String?) -> URL {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = "/v1/blobs/\(area)/\(blobKey)"
        var items = [URLQueryItem(name: "expires", value: String(expires))]
        if let fileName { items.append(URLQueryItem(name: "name", value: fileName)) }
        items.append(
            URLQueryItem(
                name: "signature", value: signature(area: area, key: blobKey, expires: expires, fileName: fileName)))
        components.queryItems = items
        return components.url!
    }

    /// True when the signature matches and the link has not expired.
    public func verify(
        area: String, key blobKey: String, expires: Int, fileName: String?, signature: String, now: Date = Date()
    )
        -> Bool
    {
        guard expires > Int(now.timeIntervalSince1970) else { return false }
        let expected = self.signature(area: area, key: blobKey, expires: expires, fileName: fileName)
        return Data(expected.utf8).count == Data(signature.utf8).count
            && zip(expected.utf8, signature.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
