import Foundation
import NIOHTTP1

/// One signed call to an AWS JSON endpoint.
public enum AWSRequest {
    public static func send(
        _ method: HTTPMethod, _ url: String, body: Data, contentType: String, extraHeaders: [(String, String)] = [],
        service: String, region: String, credentials: AWSCredentialsProvider, http: OutgoingHTTP
    ) async throws -> OutgoingHTTP.Reply {
        guard let parsed = URL(string: url) else { throw AppError.internalError }
        var headers = [("Content-Type", contentType)] + extraHeaders
        let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: service)
        guard let request = SigV4Signer.Request(method: method.rawValue, url: parsed, headers: headers) else {
            throw AppError.internalError
        }
        headers += signer.signatureHeaders(for: request, payloadHash: SigV4Signer.payloadHash(body))
        var httpHeaders = HTTPHeaders()
        for (name, value) in headers { httpHeaders.add(name: name, value: value) }
        return try await http.send(method, url, headers: httpHeaders, body: body, timeout: .seconds(10))
    }
}

extension String {
    public func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
