import Foundation
import Logging
import PostgresNIO

/// The text of a document, page by page (one page for DOCX and TXT), and which pages were read by OCR.
public struct FileText: Sendable, Equatable, Codable {
    public let fileID: UUID
    public let pages: [String]
    public let ocrPages: [Int]

    public init(fileID: UUID, pages: [String], ocrPages: [Int]) {
        self.fileID = fileID
        self.pages = pages
        self.ocrPages = ocrPages
    }

    /// The pages joined with a blank line.
    public var text: String { pages.joined(separator: "\n\n") }
    public var chars: Int { pages.reduce(0) { $0 + $1.count } }

    enum CodingKeys: String, CodingKey {
        case pages
        case fileID = "file_id"
        case ocrPages = "ocr_pages"
    }
}

public struct FileTextRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Stores the text (a second run of the same job writes the same row).
    public func store(_ text: FileText) async throws {
        try await client.query(
            """
            INSERT INTO file_texts (file_id, pages, ocr_pages, chars)
            VALUES (\(text.fileID), \(text.pages), \(text.ocrPages), \(text.chars))
            ON CONFLICT (file_id) DO UPDATE SET pages = EXCLUDED.pages, ocr_pages = EXCLUDED.ocr_pages,
                chars = EXCLUDED.chars
            """, logger: logger)
    }

    public func find(fileID: UUID) async throws -> FileText? {
        let rows = try await client.query(
            "SELECT pages, ocr_pages FROM file_texts WHERE file_id = \(fileID)", logger: logger)
        for try await (pages, ocr) in rows.decode(([String], [Int]).self) {
            return FileText(fileID: fileID, pages: pages, ocrPages: ocr)
        }
        return nil
    }
}
