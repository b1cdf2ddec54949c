import Foundation
import Logging

/// Checks a quarantined upload and either promotes it to the assets area or rejects it with a reason.
public struct UploadScanner: Sendable {
    let files: FileRepository
    let storage: StorageAreas
    let logger: Logger
    /// Decodes images and videos with ffprobe before promoting them (the worker does; off where ffprobe is not
    /// part of the process's job).
    let probeMedia: Bool

    public init(files: FileRepository, storage: StorageAreas, logger: Logger, probeMedia: Bool = false) {
        self.files = files
        self.storage = storage
        self.logger = logger
        self.probeMedia = probeMedia
    }

    /// The asset key of a promoted file: `users/<user>/<file>.<ext>`.
    public static func assetKey(for file: StoredFile, type: FileType) -> String {
        "users/\(file.userID.uuidString.lowercased())/\(file.id.uuidString.lowercased()).\(type.fileExtension)"
    }

    /// Scans `fileID`; running it again on a file already scanned changes nothing.
    @discardableResult
    public func scan(fileID: UUID) async throws -> StoredFile.Status {
        guard let file = try await files.find(id: fileID) else {
            throw JobFailure.permanent("file \(fileID) does not exist")
        }
        guard file.status == .quarantined else { return file.status }
        guard let data = try await storage.quarantine.get(key: file.key) else {
            return try await reject(file, "the uploaded bytes are missing")
        }
        guard let type = FileType.sniff(data) else { return try await reject(file, "the file type is not accepted") }
        guard type == file.type else { return try await reject(file, "the content does not match the recorded type") }
        guard data.count <= FileType.maxBytes(kind: type.kind), Int64(data.count) == file.bytes else {
            return try await reject(file, "the file size is not accepted")
        }
        if probeMedia, type.kind == "image" || type.kind == "video" {
            let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
                "scan-\(file.id.uuidString).\(type.fileExtension)")
            try data.write(to: probe)
            defer { try? FileManager.default.removeItem(at: probe) }
            guard await FFmpeg.hasDecodablePicture(probe) else {
                return try await reject(file, "the \(type.kind) cannot be decoded")
            }
        }
        let assetKey = Self.assetKey(for: file, type: type)
        try await storage.promote(quarantineKey: file.key, assetKey: assetKey, contentType: type.contentType)
        _ = try await files.markReady(id: file.id, key: assetKey)
        logger.info("upload promoted", metadata: ["file_id": "\(file.id)", "type": "\(type.rawValue)"])
        return .ready
    }

    private func reject(_ file: StoredFile, _ reason: String) async throws -> StoredFile.Status {
        try await storage.quarantine.delete(key: file.key)
        _ = try await files.markRejected(id: file.id, reason: reason)
        logger.warning("upload rejected", metadata: ["file_id": "\(file.id)", "reason": "\(reason)"])
        return .rejected
    }
}
