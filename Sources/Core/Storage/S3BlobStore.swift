import Foundation
import NIOHTTP1

/// An S3 bucket through the REST API, every request signed by our SigV4 signer.
public struct S3BlobStore: BlobStore {
    public let bucket: String
    public let region: String
    /// nil for AWS (virtual-hosted URLs); an emulator's base URL for path-style URLs.
    public let endpoint: String?
    private let credentials: AWSCredentialsProvider
    private let http: OutgoingHTTP

    public init(
        bucket: String, region: String, endpoint: String? = nil, credentials: AWSCredentialsProvider,
        http: OutgoingHTTP = OutgoingHTTP()
    ) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint?.trimmingSuffix("/")
        self.credentials = credentials
        self.http = http
    }

    func url(for key: String) -> String {
        if let endpoint { return "\(endpoint)/\(bucket)/\(key)" }
        return "https://\(bucket).s3.\(region).amazonaws.com/\(key)"
    }

    public func put(key: String, data: Data, contentType: String) async throws {
        try StorageError.check(key)
        let reply = try await send(.PUT, key: key, body: data, headers: [("Content-Type", contentType)])
        guard reply.status == 200 else { throw failure("put", reply) }
    }

    public func get(key: String) async throws -> Data? {
        try StorageError.check(key)
        let reply = try await send(.GET, key: key, maxBytes: 1 << 30)
        if reply.status == 404 { return nil }
        guard reply.status == 200 else { throw failure("get", reply) }
        return reply.body
    }

    public func head(key: String) async throws -> BlobInfo? {
        try StorageError.check(key)
        let reply = try await send(.HEAD, key: key)
        if reply.status == 404 { return nil }
        guard reply.status == 200 else { throw failure("head", reply) }
        return BlobInfo(
            size: reply.headers.first(name: "Content-Length").flatMap { Int64($0) } ?? 0,
            contentType: reply.headers.first(name: "Content-Type"))
    }

    public func delete(key: String) async throws {
        try StorageError.check(key)
        let reply = try await send(.DELETE, key: key)
        guard reply.status == 204 || reply.status == 200 || reply.status == 404 else { throw failure("delete", reply) }
    }

    /// Server-side copy from another bucket (CopyObject).
    public func copy(fromBucket source: String, key sourceKey: String, to key: String) async throws {
        try StorageError.check(sourceKey)
        try StorageError.check(key)
        let reply = try await send(.PUT, key: key, headers: [("x-amz-copy-source", "/\(source)/\(sourceKey)")])
        guard reply.status == 200, !String(decoding: reply.body, as: UTF8.self).contains("<Error>") else {
            throw failure("copy", reply)
        }
    }

    public func signedDownloadURL(key: String, expiresIn: Int, fileName: String?, now: Date) async throws -> URL {
        try StorageError.check(key)
        guard let base = URL(string: url(for: key)) else { throw StorageError.invalidKey(key) }
        var query = ""
        if let fileName {
            let disposition = "attachment; filename*=UTF-8''\(SigV4Signer.uriEncode(fileName))"
            query = "response-content-disposition=\(SigV4Signer.uriEncode(disposition))"
        }
        guard var request = SigV4Signer.Request(method: "GET", url: base) else { throw StorageError.invalidKey(key) }
        request.query = query
        let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: "s3")
        let signed = signer.presignedQuery(for: request, expires: expiresIn, date: now)
        guard let url = URL(string: "\(base.absoluteString)?\(signed)") else { throw StorageError.invalidKey(key) }
        return url
    }

    private func send(
        _ method: HTTPMethod, key: String, body: Data = Data(), headers extra: [(String, String)] = [],
        maxBytes: Int = 1 << 20
    ) async throws -> OutgoingHTTP.Reply {
        let target = url(for: key)
        guard let parsed = URL(string: target),
            let request = SigV4Signer.Request(method: method.rawValue, url: parsed, headers: extra)
        else { throw StorageError.invalidKey(key) }
        let payloadHash = SigV4Signer.payloadHash(body)
        let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: "s3")
        var headers = HTTPHeaders()
        for (name, value) in extra
            + signer.signatureHeaders(for: request, payloadHash: payloadHash, includeContentSHA256: true)
        {
            headers.add(name: name, value: value)
        }
        return try await http.send(
            method, target, headers: headers, body: method == .PUT ? body : nil, timeout: .seconds(60),
            maxBytes: maxBytes)
    }

    private func failure(_ operation: String, _ reply: OutgoingHTTP.Reply) -> StorageError {
        let text = String(decoding: reply.body.prefix(2000), as: UTF8.self)
        let code = text.range(of: "<Code>").flatMap { start in
            text.range(of: "</Code>").map { String(text[start.upperBound..<$0.lowerBound]) }
        }
        return .service(operation: operation, status: reply.status, code: code ?? "HTTP\(reply.status)")
    }
}
