import Core
import Foundation
import Hummingbird

/// Local mode only: serves `/v1/blobs/<area>/<key>` for links made by `LocalBlobStore`, checking
/// the signature and the expiry as S3 does for presigned URLs.
struct BlobRoutes {
    let storage: StorageAreas
    let links: LocalLinkSigner

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.get("blobs/:area/**") { request, context -> Response in
            let area = context.parameters.get("area") ?? ""
            let key = context.parameters.getCatchAll().joined(separator: "/")
            let query = request.uri.queryParameters
            let name = query.get("name")
            guard area == "assets", let expires = query.get("expires").flatMap(Int.init),
                let signature = query.get("signature"),
                links.verify(area: area, key: key, expires: expires, fileName: name, signature: signature)
            else { throw AppError.linkExpired }
            guard let data = try await storage.assets.get(key: key) else { throw AppError.notFound }
            let type = key.split(separator: ".").last.flatMap { ext in
                FileType.allCases.first { $0.fileExtension == ext }
            }
            var headers: HTTPFields = [.contentType: type?.contentType ?? "application/octet-stream"]
            if let name {
                headers[.contentDisposition] = "attachment; filename*=UTF-8''\(SigV4Signer.uriEncode(name))"
            }
            headers[.cacheControl] = "private, no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

extension AppError {
    static let linkExpired = AppError(
        code: "link_expired", status: .forbidden,
        message: "This download link has expired or is not valid. Ask for a new one.",
        messageAr: "انتهت صلاحية رابط التنزيل هذا أو أنه غير صالح. اطلب رابطًا جديدًا.")
}
