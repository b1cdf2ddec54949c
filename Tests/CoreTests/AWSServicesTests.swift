import Core
import CoreTestSupport
import Foundation
import NIOHTTP1
import Testing

/// S3 and SES v2 against moto's server mode: the real wire formats, signed by our signer.
struct AWSServicesTests {
    static let credentials = AWSCredentialsProvider(environment: [
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    ])

    func bucket(_ name: String) async throws -> S3BlobStore {
        let endpoint = try TestEnvironment.awsEndpoint()
        let reply = try await AWSRequest.send(
            .PUT, "\(endpoint)/\(name)", body: Data(), contentType: "application/xml", service: "s3",
            region: "us-east-1", credentials: Self.credentials, http: OutgoingHTTP())
        #expect(reply.status == 200, "CreateBucket answered \(reply.status)")
        return S3BlobStore(bucket: name, region: "us-east-1", endpoint: endpoint, credentials: Self.credentials)
    }

    @Test func s3PutGetHeadCopyDelete() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let quarantine = try await bucket("quar-\(suffix)")
        let assets = try await bucket("assets-\(suffix)")
        let data = Data("سيرة ذاتية — CV".utf8)

        try await quarantine.put(key: "uploads/u1/f1", data: data, contentType: "text/plain; charset=utf-8")
        #expect(try await quarantine.get(key: "uploads/u1/f1") == data)
        #expect(try await quarantine.head(key: "uploads/u1/f1")?.size == Int64(data.count))
        #expect(try await quarantine.get(key: "uploads/u1/missing") == nil)

        let areas = StorageAreas(quarantine: quarantine, assets: assets)
        try await areas.promote(quarantineKey: "uploads/u1/f1", assetKey: "users/u1/f1.txt", contentType: "text/plain")
        #expect(try await assets.get(key: "users/u1/f1.txt") == data)
        #expect(try await quarantine.head(key: "uploads/u1/f1") == nil)

        try await assets.delete(key: "users/u1/f1.txt")
        try await assets.delete(key: "users/u1/f1.txt")
        #expect(try await assets.get(key: "users/u1/f1.txt") == nil)
        await #expect(throws: StorageError.self) {
            try await assets.put(key: "../escape", data: data, contentType: "x")
        }
    }

    @Test func s3PresignedURLDownloadsWithAPlainClient() async throws {
        let store = try await bucket("dl-\(UUID().uuidString.prefix(8).lowercased())")
        let data = Data((0..<2048).map { UInt8($0 % 251) })
        try await store.put(key: "users/u/file.bin", data: data, contentType: "application/octet-stream")

        let url = try await store.signedDownloadURL(
            key: "users/u/file.bin", expiresIn: 900, fileName: "ملف.bin", now: Date())
        let reply = try await OutgoingHTTP().send(.GET, url.absoluteString)

        #expect(reply.status == 200)
        #expect(reply.body == data)
        #expect(url.query?.contains("X-Amz-Signature=") == true && url.query?.contains("X-Amz-Expires=900") == true)
    }

    @Test func sesSendsFromAVerifiedIdentityAndReportsRejections() async throws {
        let endpoint = try TestEnvironment.awsEndpoint()
        let sender = "no-reply-\(UUID().uuidString.prefix(6).lowercased())@studio.test"
        let identity = try JSONSerialization.data(withJSONObject: ["EmailIdentity": sender])
        let created = try await AWSRequest.send(
            .POST, "\(endpoint)/v2/email/identities", body: identity, contentType: "application/json", service: "ses",
            region: "us-east-1", credentials: Self.credentials, http: OutgoingHTTP())
        #expect(created.status == 200, "CreateEmailIdentity answered \(created.status)")
        let message = MailMessage(
            to: "lina@example.jo", subject: "رمز الدخول", text: "نص", html: "<p dir=\"rtl\">نص</p>")

        try await SESMailer(region: "us-east-1", from: sender, endpoint: endpoint, credentials: Self.credentials).send(
            message)

        let unverified = SESMailer(
            region: "us-east-1", from: "nobody@unverified.test", endpoint: endpoint, credentials: Self.credentials)
        await #expect(throws: SESMailer.Failure.self) { try await unverified.send(message) }
    }
}
