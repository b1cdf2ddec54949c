import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The static site's pages and headers.
///
/// Pages (`*.html`) are read once at boot and their script and style references rewritten to
/// `/v/<version>/…`, where the version is a hash of every file of the site; a request for a
/// versioned path is served from the plain path with a year-long immutable cache, while pages
/// themselves are never cached. Relative imports inside the modules inherit the prefix, so one
/// deploy changes every URL at once. In local mode pages are read on every request and nothing
/// is versioned, so an edited file shows on reload.
///
/// Every site response carries the Content-Security-Policy (no inline scripts, no framing) and
/// the other security headers; the checkout page's policy also admits the payment widget's host.
struct SiteMiddleware<Context: RequestContext>: RouterMiddleware {
    let site: SitePages
    let policy: SitePolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var path = request.uri.path
        if path.hasPrefix("/v1/") || ["/healthz", "/readyz", "/metrics"].contains(path) {
            var response = try await next(request, context)
            response.headers[.xContentTypeOptions] = "nosniff"
            return response
        }
        var immutable = false
        var request = request
        if path.hasPrefix("/v/"), let (version, rest) = SitePages.splitVersioned(path) {
            immutable = version == site.version && site.version != nil
            path = rest
            var head = request.head
            head.path = rest + (request.uri.query.map { "?" + $0 } ?? "")
            request = Request(head: head, body: request.body)
        }
        var response: Response
        if request.method == .get || request.method == .head, let page = try site.page(for: path) {
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-cache"
            response = Response(
                status: .ok, headers: headers,
                body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: page)))
            response.headers[.contentLength] = String(page.count)
        } else {
            response = try await next(request, context)
            if immutable, response.status == .ok {
                response.headers[.cacheControl] = "public, max-age=31536000, immutable"
            }
        }
        policy.apply(to: &response.headers, path: path)
        return response
    }
}

/// The security headers of the site.
struct SitePolicy: Sendable {
    /// Where signed download links point besides this origin (an S3 bucket or CloudFront), for
    /// images, video and the editor's reads.
    let assetOrigins: [String]
    /// The payment widget's hosts (HyperPay's COPYandPAY), admitted on the checkout page only.
    let paymentOrigins: [String]

    var contentSecurityPolicy: String { policy(checkout: false) }
    var checkoutContentSecurityPolicy: String { policy(checkout: true) }

    private func policy(checkout: Bool) -> String {
        let assets = assetOrigins.joined(separator: " ")
        let payment = checkout ? paymentOrigins.joined(separator: " ") : ""
        func sources(_ parts: String...) -> String {
            parts.filter { !$0.isEmpty }.joined(separator: " ")
        }
        return [
            "default-src 'self'",
            "script-src " + sources("'self'", payment),
            // The widget styles its own fields inline.
            "style-src " + sources("'self'", checkout ? "'unsafe-inline'" : "", payment),
            "img-src " + sources("'self'", "data:", "blob:", assets, payment),
            "media-src " + sources("'self'", "blob:", assets),
            "connect-src " + sources("'self'", assets, payment),
            "font-src 'self'",
            "frame-src " + (checkout && !payment.isEmpty ? payment : "'none'"),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action " + sources("'self'", payment),
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    func apply(to headers: inout HTTPFields, path: String) {
        let checkout = path == "/app/checkout/" || path.hasPrefix("/app/checkout/index.html")
        headers[.contentSecurityPolicy] = checkout ? checkoutContentSecurityPolicy : contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "strict-origin-when-cross-origin"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
    }
}

/// The site's HTML pages, with their asset references versioned.
final class SitePages: Sendable {
    let root: String
    /// Nil in local mode: pages are read per request and not versioned.
    let version: String?
    private let pages: [String: [UInt8]]

    init(root: String, versioned: Bool) throws {
        self.root = root
        guard versioned else {
            version = nil
            pages = [:]
            return
        }
        let files = Self.files(under: root)
        var hash = SHA256()
        for file in files {
            hash.update(data: Data(file.utf8))
            hash.update(data: try Data(contentsOf: URL(fileURLWithPath: root + file)))
        }
        let version = hash.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
        self.version = version
        var pages: [String: [UInt8]] = [:]
        for file in files where file.hasSuffix(".html") {
            let text = try String(contentsOfFile: root + file, encoding: .utf8)
            pages[file] = Array(Self.versioned(text, version: version).utf8)
        }
        self.pages = pages
    }

    /// The page for a request path (`/app/` → `/app/index.html`), or nil for anything else.
    func page(for path: String) throws -> [UInt8]? {
        guard !path.contains(".."), !path.contains("//") else { return nil }
        let file = path.hasSuffix("/") ? path + "index.html" : path
        guard file.hasSuffix(".html") else { return nil }
        if version != nil { return pages[file] }
        let url = URL(fileURLWithPath: root + file)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return Array(try Data(contentsOf: url))
    }

    /// `src="/js/…"` and `href="/styles/…"` (any root-relative .js or .css) gain the version prefix.
    static func versioned(_ html: String, version: String) -> String {
        html.replacing(/(src|href)="(\/[^"\/][^"]*\.(?:js|css))"/) { match in
            "\(match.output.1)=\"/v/\(version)\(match.output.2)\""
        }
    }

    /// `/v/abc123/js/api.js` → ("abc123", "/js/api.js").
    static func splitVersioned(_ path: String) -> (String, String)? {
        let parts = path.dropFirst(3).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), "/" + parts[1])
    }

    /// Every regular file under the root, as sorted root-relative paths (`/index.html`).
    static func files(under root: String) -> [String] {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append("/" + relative)
            }
        }
        return found.sorted()
    }
}
