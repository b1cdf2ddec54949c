import Crypto
import Foundation

/// AWS Signature Version 4, for headers (`Authorization`) and for presigned query strings.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request as the signer sees it: the path as it stands in the URL (percent-encoded),
    /// the raw query string, and header pairs in any case.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: String
        public var headers: [(name: String, value: String)]

        public init(method: String, host: String, path: String, query: String = "", headers: [(String, String)] = []) {
            self.method = method
            self.host = host
            self.path = path.isEmpty ? "/" : path
            self.query = query
            self.headers = headers.map { (name: $0.0, value: $0.1) }
        }

        public init?(method: String, url: URL, headers: [(String, String)] = []) {
            guard let components = URLComponents(url: url, resolvingAgainstBaseURL: false), let host = components.host
            else { return nil }
            let hostHeader = components.port.map { "\(host):\($0)" } ?? host
            self.init(
                method: method, host: hostHeader, path: components.percentEncodedPath,
                query: components.percentEncodedQuery ?? "", headers: headers)
        }
    }

    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    public static func payloadHash(_ body: some DataProtocol) -> String {
        SHA256.hash(data: body).hexString
    }

    // MARK: Header signing

    /// Returns the headers to add to the request: `X-Amz-Date`, optionally `X-Amz-Security-Token`
    /// and `X-Amz-Content-Sha256`, and `Authorization`.
    public func signatureHeaders(
        for request: Request, payloadHash: String, date: Date = Date(), includeContentSHA256: Bool = false
    ) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        var added: [(String, String)] = [("X-Amz-Date", amzDate)]
        if includeContentSHA256 { added.append(("X-Amz-Content-Sha256", payloadHash)) }
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        var signed = request
        signed.headers += added.map { (name: $0.0, value: $0.1) }
        let canonical = canonicalRequest(signed, payloadHash: payloadHash)
        let scope = credentialScope(amzDate)
        let signature = self.signature(stringToSign: stringToSign(canonical.text, amzDate: amzDate), date: amzDate)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    // MARK: Query signing (presigned URLs)

    /// The query string (without `?`) that makes the request valid for `expires` seconds.
    public func presignedQuery(
        for request: Request, expires: Int, payloadHash: String = unsignedPayload, date: Date = Date()
    ) -> String {
        let amzDate = Self.amzDate(date)
        var signed = request
        let headerNames = Self.canonicalHeaderList(request).map(\.name).joined(separator: ";")
        var params: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(credentialScope(amzDate))"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", String(expires)),
            ("X-Amz-SignedHeaders", headerNames),
        ]
        if let token = credentials.sessionToken { params.append(("X-Amz-Security-Token", token)) }
        let extra = params.map { "\(Self.uriEncode($0.0))=\(Self.uriEncode($0.1))" }.joined(separator: "&")
        signed.query = request.query.isEmpty ? extra : request.query + "&" + extra
        let canonical = canonicalRequest(signed, payloadHash: payloadHash)
        let signature = self.signature(stringToSign: stringToSign(canonical.text, amzDate: amzDate), date: amzDate)
        return Self.canonicalQuery(signed.query) + "&X-Amz-Signature=\(signature)"
    }

    // MARK: Steps (public for the test suite)

    public func canonicalRequest(_ request: Request, payloadHash: String) -> (text: String, signedHeaders: String) {
        let headers = Self.canonicalHeaderList(request)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let text = [
            request.method.uppercased(),
            canonicalPath(request.path),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    public func stringToSign(_ canonicalRequest: String, amzDate: String) -> String {
        [
            "AWS4-HMAC-SHA256", amzDate, credentialScope(amzDate),
            SHA256.hash(data: Data(canonicalRequest.utf8)).hexString,
        ].joined(separator: "\n")
    }

    public func signature(stringToSign: String, date amzDate: String) -> String {
        let day = String(amzDate.prefix(8))
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    func credentialScope(_ amzDate: String) -> String {
        "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// S3 signs the path as sent; every other service encodes each segment once more.
    func canonicalPath(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let decoded = String(segment).removingPercentEncoding ?? String(segment)
            let once = Self.uriEncode(decoded)
            return service == "s3" ? once : Self.uriEncode(once)
        }
        let joined = segments.joined(separator: "/")
        return joined.hasPrefix("/") ? joined : "/" + joined
    }

    static func canonicalHeaderList(_ request: Request) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        var sawHost = false
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "host" { sawHost = true }
            merged[name, default: []].append(collapseSpaces(header.value))
        }
        if !sawHost { merged["host"] = [request.host] }
        return merged.keys.sorted().map { (name: $0, value: merged[$0]!.joined(separator: ",")) }
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (uriEncode(decode(parts[0])), parts.count > 1 ? uriEncode(decode(parts[1])) : "")
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&")
    }

    static func collapseSpaces(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingWhitespace()
    }

    /// RFC 3986 encoding as SigV4 wants it: only `A-Z a-z 0-9 - _ . ~` stay as they are.
    public static func uriEncode(_ string: String) -> String {
        var out = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
