import Core
import Foundation
import NIOHTTP1

/// Secrets in the AWS emulator (moto) that `TEST_AWS_ENDPOINT` names, written through the same
/// signed awsJson1_1 protocol the resolver reads them with.
public enum TestSecrets {
    public static let environment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    /// Creates the secret; returns the HTTP status moto answered (200 when created).
    @discardableResult
    public static func create(name: String, value: String) async throws -> Int {
        let endpoint = try TestEnvironment.awsEndpoint()
        let body = try JSONSerialization.data(withJSONObject: ["Name": name, "SecretString": value])
        var headers: [(String, String)] = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.CreateSecret"),
        ]
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing"), region: "eu-central-1",
            service: "secretsmanager")
        guard let request = SigV4Signer.Request(method: "POST", url: URL(string: endpoint)!, headers: headers) else {
            return 0
        }
        headers += signer.signatureHeaders(for: request, payloadHash: SigV4Signer.payloadHash(body))
        var httpHeaders = HTTPHeaders()
        for (name, value) in headers { httpHeaders.add(name: name, value: value) }
        return try await OutgoingHTTP().send(.POST, endpoint, headers: httpHeaders, body: body).status
    }
}
