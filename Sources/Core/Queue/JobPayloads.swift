import Foundation

/// Payloads shared by the services that enqueue a job and the worker that runs it.
public enum JobPayloads {
    /// `upload_scan`: the quarantined file to check.
    public struct UploadScan: Codable, Sendable, Equatable {
        public let fileID: UUID

        public init(fileID: UUID) { self.fileID = fileID }

        enum CodingKeys: String, CodingKey { case fileID = "file_id" }
    }
}
