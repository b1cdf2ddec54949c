import Foundation

/// Where files live: S3 buckets on AWS, folders under `STORAGE_DIR` locally.
public struct StorageSettings: Sendable {
    public enum Backend: Sendable, Equatable {
        case s3(assetsBucket: String, quarantineBucket: String, region: String, endpoint: String?)
        case local(directory: URL)
    }

    public let backend: Backend
    /// How long a download link works (`FILE_URL_TTL_SECONDS`, default 15 minutes).
    public let linkLifetime: Int

    public init(_ source: ConfigSource, environment: AppEnvironment) throws {
        let mode = source.string("STORAGE", default: environment == .prod ? "s3" : "local")
        switch mode {
        case "s3":
            backend = .s3(
                assetsBucket: try source.string("S3_ASSETS_BUCKET"),
                quarantineBucket: try source.string("S3_QUAR_BUCKET"),
                region: source["AWS_REGION"] ?? "eu-central-1",
                endpoint: source["AWS_ENDPOINT_URL_S3"] ?? source["AWS_ENDPOINT_URL"])
        case "local":
            backend = .local(directory: URL(fileURLWithPath: source.string("STORAGE_DIR", default: ".data/storage")))
        default:
            throw ConfigError(key: "STORAGE", reason: "must be s3 or local")
        }
        linkLifetime = try source.int("FILE_URL_TTL_SECONDS", default: 900, range: 1...604_800)
    }

    /// The two areas. `links` signs local download links (only the backend, which serves them, needs it).
    public func areas(credentials: AWSCredentialsProvider, links: LocalLinkSigner?) -> StorageAreas {
        switch backend {
        case .s3(let assets, let quarantine, let region, let endpoint):
            return StorageAreas(
                quarantine: S3BlobStore(
                    bucket: quarantine, region: region, endpoint: endpoint, credentials: credentials),
                assets: S3BlobStore(bucket: assets, region: region, endpoint: endpoint, credentials: credentials))
        case .local(let directory):
            let signer = links ?? LocalLinkSigner(secret: UUID().uuidString, baseURL: URL(string: "http://127.0.0.1")!)
            return StorageAreas(
                quarantine: LocalBlobStore(root: directory, area: "quarantine", links: signer),
                assets: LocalBlobStore(root: directory, area: "assets", links: signer))
        }
    }
}
