import Core
import Foundation
import Testing

/// The official AWS SigV4 test-suite cases, from shared/reference/test_vectors.json.
struct SigV4SignerTests {
    struct Case: Decodable {
        let name: String
        let request: String
        let canonicalRequest: String
        let stringToSign: String
        let signature: String
        let authorizationHeader: String
        let queryCanonicalRequest: String
        let querySignature: String
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/sigv4_cases.json")
        let data = try! Data(contentsOf: url)
        struct Suite: Decodable { let cases: [Case] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode(Suite.self, from: data).cases
    }()

    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
    let signer = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")

    /// Parses `METHOD /path?query HTTP/1.1` and `Name:value` lines.
    static func parse(_ text: String) -> SigV4Signer.Request {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let parts = lines[0].split(separator: " ")
        let target = String(parts[1])
        let pathAndQuery = target.split(separator: "?", maxSplits: 1).map(String.init)
        var headers: [(String, String)] = []
        var host = ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...])
            if name.lowercased() == "host" { host = value }
            headers.append((name, value))
        }
        return SigV4Signer.Request(
            method: String(parts[0]), host: host, path: pathAndQuery[0],
            query: pathAndQuery.count > 1 ? pathAndQuery[1] : "",
            headers: headers)
    }

    @Test(arguments: cases.map(\.name))
    func headerSigningMatchesTheSuite(name: String) throws {
        let vector = try #require(Self.cases.first { $0.name == name })
        var request = Self.parse(vector.request)
        request.headers.append((name: "X-Amz-Date", value: "20150830T123600Z"))
        let canonical = signer.canonicalRequest(request, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(canonical.text == vector.canonicalRequest)
        let stringToSign = signer.stringToSign(canonical.text, amzDate: "20150830T123600Z")
        #expect(stringToSign == vector.stringToSign)
        #expect(signer.signature(stringToSign: stringToSign, date: "20150830T123600Z") == vector.signature)

        let added = signer.signatureHeaders(
            for: Self.parse(vector.request), payloadHash: SigV4Signer.emptyPayloadHash, date: Self.date)
        #expect(added.first { $0.0 == "Authorization" }?.1 == vector.authorizationHeader)
        #expect(added.first { $0.0 == "X-Amz-Date" }?.1 == "20150830T123600Z")
    }

    @Test(arguments: cases.map(\.name))
    func querySigningMatchesTheSuite(name: String) throws {
        let vector = try #require(Self.cases.first { $0.name == name })
        let query = signer.presignedQuery(
            for: Self.parse(vector.request), expires: 3600, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.date)
        #expect(query.hasSuffix("X-Amz-Signature=\(vector.querySignature)"))
    }

    @Test func s3PresignedURLMatchesTheDocumentedExample() {
        let s3 = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "s3")
        let request = SigV4Signer.Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let query = s3.presignedQuery(for: request, expires: 86400, date: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(query.hasSuffix("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
        #expect(query.contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"))
    }

    @Test func sessionTokenIsSignedAndSent() {
        let withToken = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token-1"),
            region: "eu-central-1", service: "secretsmanager")
        let request = SigV4Signer.Request(method: "POST", host: "secretsmanager.eu-central-1.amazonaws.com", path: "/")
        let headers = withToken.signatureHeaders(
            for: request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.date)
        #expect(headers.contains { $0.0 == "X-Amz-Security-Token" && $0.1 == "token-1" })
        #expect(
            headers.first { $0.0 == "Authorization" }?.1.contains("SignedHeaders=host;x-amz-date;x-amz-security-token")
                == true)
    }
}
