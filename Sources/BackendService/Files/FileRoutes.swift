import Core
import Foundation
import Hummingbird
import Logging

/// Upload (into quarantine, scanned by the worker), list, read, delete, and time-limited download links.
struct FileRoutes {
    let files: FileRepository
    let storage: StorageAreas
    let queue: JobQueue
    let linkLifetime: Int

    struct FileView: Codable {
        let id: UUID
        let kind: String
        let name: String
        let bytes: Int64
        let contentType: String
        let status: String
        let createdAt: Date
        let rejectReason: String?
        let thumbnailFileID: String?

        init(_ file: StoredFile) {
            id = file.id
            kind = file.kind
            name = file.name
            bytes = file.bytes
            contentType = file.contentType
            status = file.status.rawValue
            createdAt = file.createdAt
            rejectReason = file.rejectReason
            thumbnailFileID = file.thumbnailID?.uuidString.lowercased()
        }

        enum CodingKeys: String, CodingKey {
            case id, kind, name, bytes, status
            case contentType = "content_type"
            case createdAt = "created_at"
            case rejectReason = "reject_reason"
            case thumbnailFileID = "thumbnail_file_id"
        }
    }

    struct One: ResponseEncodable { let file: FileView }
    struct Many: ResponseEncodable { let files: [FileView] }
    struct Link: ResponseEncodable {
        let url: String
        let expiresAt: Date
        enum CodingKeys: String, CodingKey {
            case url
            case expiresAt = "expires_at"
        }
    }

    func register(on group: RouterGroup<BackendRequestContext>) {
        group.post("files", use: upload)
        group.get("files") { _, context in
            Many(files: try await files.list(userID: try context.requireUser().id).map(FileView.init))
        }
        group.get("files/:id") { _, context in One(file: FileView(try await owned(context))) }
        group.delete("files/:id") { _, context -> Response in
            let file = try await owned(context)
            if try await files.markDeleted(id: file.id, userID: file.userID) {
                try await (file.status == .ready ? storage.assets : storage.quarantine).delete(key: file.key)
            }
            return Response(status: .noContent)
        }
        group.get("files/:id/signed-url") { _, context -> Link in
            let file = try await owned(context)
            guard file.status == .ready else { throw AppError.fileNotReady(file.status) }
            let now = Date()
            let url = try await storage.assets.signedDownloadURL(
                key: file.key, expiresIn: linkLifetime, fileName: file.name.isEmpty ? nil : file.name, now: now)
            return Link(url: url.absoluteString, expiresAt: now.addingTimeInterval(TimeInterval(linkLifetime)))
        }
    }

    /// The file named in the path, if the signed-in user owns it; 404 otherwise (never 403: another
    /// user's file must not be distinguishable from a missing one).
    func owned(_ context: BackendRequestContext) async throws -> StoredFile {
        let user = try context.requireUser()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
            let file = try await files.find(id: id, userID: user.id)
        else { throw AppError.notFound }
        return file
    }

    @Sendable func upload(_ request: Request, context: BackendRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType]) else {
            throw AppError.validation(
                "Send the file as multipart/form-data in a field named file.",
                "أرسل الملف بصيغة multipart/form-data في حقل اسمه file.", field: "file")
        }
        let limit = FileType.maxBytes(kind: "video")
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit + 64 * 1024)
        } catch {
            throw AppError.fileTooLarge(limit: limit)
        }
        guard let form = MultipartForm(body: Data(buffer.readableBytesView), boundary: boundary),
            let part = form.parts.first(where: { $0.name == "file" }), !part.data.isEmpty
        else {
            throw AppError.validation(
                "No file was found in the field named file.", "لم يُعثر على ملف في الحقل المسمّى file.", field: "file")
        }
        guard let type = FileType.sniff(part.data) else { throw AppError.unsupportedFileType }
        let maximum = FileType.maxBytes(kind: type.kind)
        guard part.data.count <= maximum else { throw AppError.fileTooLarge(limit: maximum) }
        let id = UUID()
        let key = "uploads/\(user.id.uuidString.lowercased())/\(id.uuidString.lowercased())"
        try await storage.quarantine.put(key: key, data: part.data, contentType: type.contentType)
        let file = try await files.create(
            id: id, userID: user.id, type: type, key: key, bytes: Int64(part.data.count),
            name: Self.displayName(part.fileName, type: type))
        try await queue.enqueue(
            .uploadScan, payload: JobPayloads.UploadScan(fileID: id), id: id.uuidString.lowercased())
        var response = try One(file: FileView(file)).response(from: request, context: context)
        response.status = .created
        return response
    }

    /// A harmless display name: no path, no control characters, at most 120 characters.
    static func displayName(_ raw: String?, type: FileType) -> String {
        let base = (raw ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(120))
        return clean.isEmpty ? "file.\(type.fileExtension)" : clean
    }
}

extension AppError {
    static let unsupportedFileType = AppError(
        code: "unsupported_file_type", status: .unsupportedMediaType,
        message: "This file type is not supported. Use PNG, JPEG, WebP, GIF, MP4, MOV, WebM, PDF, DOCX, PPTX or TXT.",
        messageAr:
            "نوع الملف غير مدعوم. استخدم PNG أو JPEG أو WebP أو GIF أو MP4 أو MOV أو WebM أو PDF أو DOCX أو PPTX أو TXT."
    )

    static func fileTooLarge(limit: Int) -> AppError {
        AppError(
            code: "file_too_large", status: .contentTooLarge,
            message: "The file is larger than \(limit >> 20) MB.",
            messageAr: "حجم الملف أكبر من \(limit >> 20) ميغابايت.",
            details: ["max_bytes": String(limit)])
    }

}
