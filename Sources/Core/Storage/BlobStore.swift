import Foundation

/// What a stored object is.
public struct BlobInfo: Sendable, Equatable {
    public let size: Int64
    public let contentType: String?
}

/// One storage area (a bucket on AWS, a folder locally). Keys are `/`-separated and URL-safe.
public protocol BlobStore: Sendable {
    func put(key: String, data: Data, contentType: String) async throws
    /// The object's bytes, or nil if there is none.
    func get(key: String) async throws -> Data?
    func head(key: String) async throws -> BlobInfo?
    /// Deleting a missing object is not an error.
    func delete(key: String) async throws
    /// A link that downloads the object until `expiresIn` seconds from now, and then stops working.
    func signedDownloadURL(key: String, expiresIn: Int, fileName: String?, now: Date) async throws -> URL
}

public enum StorageError: Error, CustomStringConvertible, Equatable {
    case service(operation: String, status: Int, code: String)
    case invalidKey(String)

    public var description: String {
        switch self {
        case .service(let operation, let status, let code): "storage \(operation) failed: \(status) \(code)"
        case .invalidKey(let key): "invalid storage key \(key)"
        }
    }

    static func check(_ key: String) throws {
        let allowed = key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }
        guard allowed, !key.isEmpty, !key.hasPrefix("/"), !key.contains(".."), !key.contains("//") else {
            throw StorageError.invalidKey(key)
        }
    }
}

/// The two areas every upload passes through: quarantine until scanned, then assets.
public struct StorageAreas: Sendable {
    public let quarantine: any BlobStore
    public let assets: any BlobStore

    public init(quarantine: any BlobStore, assets: any BlobStore) {
        self.quarantine = quarantine
        self.assets = assets
    }

    /// Moves a checked object from quarantine to assets (server-side when both are S3).
    public func promote(quarantineKey: String, assetKey: String, contentType: String) async throws {
        if let source = quarantine as? S3BlobStore, let target = assets as? S3BlobStore {
            try await target.copy(fromBucket: source.bucket, key: quarantineKey, to: assetKey)
        } else {
            guard let data = try await quarantine.get(key: quarantineKey) else {
                throw StorageError.service(operation: "promote", status: 404, code: "NoSuchKey")
            }
            try await assets.put(key: assetKey, data: data, contentType: contentType)
        }
        try await quarantine.delete(key: quarantineKey)
    }
}
