import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import WorkerService

/// Text out of documents: a PDF's text layer with poppler, scanned pages with tesseract (Arabic and
/// English), Word documents from their XML.
struct DocExtractJobTests {
    static let scannedArabic = "تقرير المبيعات في عمان لعام 2026"

    /// A scanned page: the Arabic sentence drawn (joined, right to left) on white, as a JPEG.
    static func scannedPage() async throws -> (Data, Int, Int) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let text = work.appendingPathComponent("line.txt")
        try scannedArabic.write(to: text, atomically: true, encoding: .utf8)
        let jpeg = work.appendingPathComponent("page.jpg")
        try await FFmpeg.run([
            "-v", "error", "-y", "-f", "lavfi", "-i", "color=white:s=1654x400", "-vf",
            "drawtext=fontfile=/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf:textfile=\(text.path)"
                + ":text_shaping=1:fontsize=64:fontcolor=black:x=(w-tw)/2:y=(h-th)/2",
            "-frames:v", "1", "-q:v", "2", jpeg.path,
        ])
        return (try Data(contentsOf: jpeg), 1654, 400)
    }

    @Test func aTextPDFIsReadFromItsTextLayerAndAScannedArabicPageByOCR() async throws {
        let (jpeg, width, height) = try await Self.scannedPage()
        let pdf = TestPDF.make([
            .text(["Quarterly report for Amman", "Revenue grew by 12 percent"]),
            .scan(jpeg: jpeg, width: width, height: height),
        ])
        let id = UUID()
        let text = try await DocExtractJob.extract(pdf, type: .pdf, fileID: id)
        #expect(text.pages.count == 2)
        #expect(text.pages[0].contains("Quarterly report for Amman") && text.pages[0].contains("12 percent"))
        #expect(text.ocrPages == [2])
        // OCR may differ in a diacritic or a hamza; the words themselves must come out, in reading order.
        let scanned = text.pages[1].replacingOccurrences(of: "\u{0651}", with: "")
        for word in ["تقرير", "المبيعات", "لعام", "2026"] {
            #expect(scanned.contains(word), "OCR lost \(word): \(scanned)")
        }
        let order = ["تقرير", "المبيعات", "لعام"].compactMap { scanned.range(of: $0)?.lowerBound }
        #expect(order == order.sorted())
    }

    @Test func anImageOnlyArabicPDFYieldsItsText() async throws {
        let (jpeg, width, height) = try await Self.scannedPage()
        let text = try await DocExtractJob.extract(
            TestPDF.make([.scan(jpeg: jpeg, width: width, height: height)]), type: .pdf, fileID: UUID())
        #expect(text.ocrPages == [1] && text.text.contains("المبيعات"))
    }

    @Test func tooManyPagesOrNotAPDFFailWithAReason() async throws {
        let long = TestPDF.make(Array(repeating: .text(["page"]), count: 51))
        await #expect(throws: DocumentText.Failure.self) {
            _ = try await DocExtractJob.extract(long, type: .pdf, fileID: UUID())
        }
        await #expect(throws: DocumentText.Failure.self) {
            _ = try await DocExtractJob.extract(Data("not a pdf".utf8), type: .pdf, fileID: UUID())
        }
    }

    @Test func aWordDocumentIsReadThroughTheWorkerOnceAndStored() async throws {
        let directory = NSTemporaryDirectory() + "worker-extract-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let user = try await UserRepository(client: harness.postgres, logger: harness.logger)
                .findOrCreate(email: "reader@example.jo").user
            let docx = try DocConvertJobTests.arabicDocx()
            let fileID = UUID()
            let key = "users/\(user.id.uuidString.lowercased())/\(fileID.uuidString.lowercased()).docx"
            try FileManager.default.createDirectory(
                atPath: directory + "/assets/users/\(user.id.uuidString.lowercased())",
                withIntermediateDirectories: true)
            try docx.write(to: URL(fileURLWithPath: directory + "/assets/" + key))
            _ = try await harness.files.createReady(
                id: fileID, userID: user.id, type: .docx, key: key, bytes: Int64(docx.count), name: "cv.docx")
            let texts = FileTextRepository(client: harness.postgres, logger: harness.logger)
            try await app.test(.router) { _ in
                let jobID = UUID()
                _ = try await JobQueue(redis: harness.redis).start(
                    .docExtract, id: jobID, userID: user.id,
                    payload: JobPayloads.DocExtract(jobID: jobID, userID: user.id, fileID: fileID), jobs: harness.jobs)
                #expect(try await eventually { try await harness.jobs.find(id: jobID)?.status == .done })
            }
            let stored = try #require(try await texts.find(fileID: fileID))
            #expect(stored.pages.count == 1 && stored.ocrPages.isEmpty)
            #expect(stored.text == "\(DocConvertJobTests.arabic)\nWelcome to Amman")
        }
    }
}
