import Core
import CoreTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import WorkerService

/// DOCX → PDF through the warm LibreOffice (unoserver from .venv-office, installed by scripts/test.sh).
@Suite(.serialized)  // each test starts its own LibreOffice: one at a time on two cores
struct DocConvertJobTests {
    static let arabic = "مرحبا بكم في الأردن"

    /// A minimal right-to-left Arabic DOCX with an English line under it.
    static func arabicDocx() throws -> Data {
        let contentTypes = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
            <Default Extension="xml" ContentType="application/xml"/>
            <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
            </Types>
            """
        let rels = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
            </Relationships>
            """
        let document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
            <w:p><w:pPr><w:bidi/></w:pPr><w:r><w:rPr><w:rFonts w:cs="Amiri"/><w:rtl/></w:rPr><w:t>\(arabic)</w:t></w:r></w:p>
            <w:p><w:r><w:t>Welcome to Amman</w:t></w:r></w:p>
            </w:body></w:document>
            """
        return try OOXMLPackage.zip([
            ("[Content_Types].xml", Data(contentTypes.utf8)), ("_rels/.rels", Data(rels.utf8)),
            ("word/document.xml", Data(document.utf8)),
        ])
    }

    /// pdftotext's text, NFKC-normalised and without bidi controls (it wraps right-to-left runs in them).
    static func pdfText(_ pdf: URL) async throws -> String {
        let textFile = pdf.appendingPathExtension("txt")
        defer { try? FileManager.default.removeItem(at: textFile) }
        let (termination, output) = try await ChildProcess.run(
            "/usr/bin/pdftotext", [pdf.path, textFile.path], timeout: .seconds(30))
        #expect(termination.succeeded, "pdftotext: \(output)")
        let text = try String(contentsOf: textFile, encoding: .utf8).precomposedStringWithCompatibilityMapping
        return String(
            text.unicodeScalars.filter {
                !(0x202A...0x202E).contains($0.value) && !(0x2066...0x2069).contains($0.value)
            })
    }

    @Test func anArabicDocxBecomesAPDFWithItsWordsInOrderOnce() async throws {
        let directory = NSTemporaryDirectory() + "worker-docs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.run(extra: ["STORAGE_DIR": directory]) { harness, app in
            let logger = harness.logger
            let db = harness.postgres
            let user = try await UserRepository(client: db, logger: logger).findOrCreate(email: "doc@example.jo").user
            let docx = try Self.arabicDocx()
            #expect(FileType.sniff(docx) == .docx)
            let storage = harness.settings.storage.areas(
                credentials: AWSCredentialsProvider(environment: [:]), links: nil)
            let sourceID = UUID()
            let key = "users/\(user.id.uuidString.lowercased())/\(sourceID.uuidString.lowercased()).docx"
            try await storage.assets.put(key: key, data: docx, contentType: FileType.docx.contentType)
            _ = try await harness.files.createReady(
                id: sourceID, userID: user.id, type: .docx, key: key, bytes: Int64(docx.count), name: "سيرة ذاتية.docx")
            let payload = JobPayloads.DocConvert(jobID: UUID(), userID: user.id, fileID: sourceID)
            _ = try await harness.jobs.create(
                id: payload.jobID, kind: .docConvert, userID: user.id,
                payloadJSON: String(decoding: try JSONEncoder.studio.encode(payload), as: UTF8.self))

            try await app.test(.router) { _ in
                let queue = JobQueue(redis: harness.redis)
                try await queue.enqueue(.docConvert, payload: payload, id: payload.jobID.uuidString.lowercased())
                let done = try await eventually(timeout: .seconds(90)) {
                    try await harness.jobs.find(id: payload.jobID)?.status == .done
                }
                #expect(done)
                // Delivered again (at least once): the finished job is not redone.
                try await queue.enqueue(.docConvert, payload: payload, id: payload.jobID.uuidString.lowercased())
                let drained = try await eventually(timeout: .seconds(30)) {
                    let stats = try await queue.stats(.documents)
                    return stats.length == 0 && stats.pending == 0
                }
                #expect(drained)
            }
            let job = try #require(try await harness.jobs.find(id: payload.jobID))
            let resultID = try #require(job.resultFileID)
            let result = try #require(try await harness.files.find(id: resultID, userID: user.id))
            #expect(result.contentType == "application/pdf")
            #expect(result.name == "سيرة ذاتية.pdf")
            let pdf = URL(fileURLWithPath: directory + "/assets/" + result.key)
            #expect(FileType.sniff(try Data(contentsOf: pdf)) == .pdf)
            let text = try await Self.pdfText(pdf)
            #expect(text.contains(Self.arabic), "pdftotext: \(text)")
            #expect(text.contains("Welcome to Amman"))
            let rows = try await db.query(
                "SELECT count(*)::int FROM files WHERE user_id = \(user.id) AND content_type = 'application/pdf'",
                logger: logger)
            for try await count in rows.decode(Int.self) { #expect(count == 1) }
        }
    }

    @Test func aLibreOfficeThatDiedIsStartedAgainForTheNextDocument() async throws {
        let converter = OfficeConverter(
            settings: try OfficeSettings(ConfigSource([:])), logger: Logger(label: "office-test"))
        #expect(await converter.isConfigured)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("office-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("in.docx")
        try Self.arabicDocx().write(to: input)
        try await converter.convert(input, to: work.appendingPathComponent("first.pdf"))
        await converter.crashForTesting()
        try await Task.sleep(for: .milliseconds(300))
        try await converter.convert(input, to: work.appendingPathComponent("second.pdf"))
        #expect(await converter.restarts == 2)
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("second.pdf").path))
        await converter.stop()
    }

    /// A worker told to stop must be gone within seconds (ECS waits 30 s, the smoke test 5): signalled all
    /// at once, LibreOffice's launcher stayed behind with an unreaped `soffice.bin` until it was killed.
    @Test func stoppingLibreOfficeEndsEveryProcessOfItWithinSeconds() async throws {
        let converter = OfficeConverter(
            settings: try OfficeSettings(ConfigSource([:])), logger: Logger(label: "office-test"))
        try await converter.ensureRunning()
        let pids = OfficeConverter.processes(mentioning: await converter.profilePath)
        #expect(pids.count >= 2, "unoserver and LibreOffice: \(pids)")
        let started = ContinuousClock.now

        await converter.stop()

        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(!pids.contains(where: OfficeConverter.isRunning))
    }
}

extension DocConvertJobTests {
    /// The CV Maker's Arabic document through LibreOffice: every entered field is in the PDF, in order.
    @Test func anArabicCVBecomesAPDFWithEveryFieldInOrder() async throws {
        let form = try JSONDecoder().decode(
            CVForm.self,
            from: Data(
                """
                {"full_name": "سارة أحمد", "headline": "مهندسة برمجيات", "email": "sara@example.jo",
                 "phone": "+962791234567", "location": "عمان، الأردن",
                 "summary": "مهندسة برمجيات بخبرة خمس سنوات في تطوير تطبيقات الويب",
                 "skills": ["Swift", "تحليل البيانات"],
                 "experience": [{"title": "مهندسة برمجيات", "company": "شركة أمنية", "start": "2021", "end": "2024",
                                 "bullets": ["طورت نظام دفع يخدم مئتي ألف مستخدم"]}],
                 "education": [{"degree": "بكالوريوس علم الحاسوب", "school": "الجامعة الأردنية", "end": "2019"}],
                 "languages": [{"name": "العربية", "level": "اللغة الأم"}]}
                """.utf8)
        ).validated()
        let converter = OfficeConverter(
            settings: try OfficeSettings(ConfigSource([:])), logger: Logger(label: "office-test"))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("cv.docx")
        try CVRenderer.document(form, language: .ar, style: .ats).data().write(to: input)
        let output = work.appendingPathComponent("cv.pdf")
        try await converter.convert(input, to: output)
        // The Gulf/Jordan style with a photo: the picture reaches the PDF, once, and the text still reads.
        let pixels = [UInt8]((0..<(120 * 160)).flatMap { _ in [UInt8(200), 120, 60, 255] })
        let photo = try #require(
            DocxDocument.Picture(
                data: PNGEncoder.encode(width: 120, height: 160, rgba: pixels), fittingWidth: CVRenderer.photoWidth,
                maxHeight: CVRenderer.photoMaxHeight, description: "صورة سارة أحمد"))
        let gulfInput = work.appendingPathComponent("cv-gulf.docx")
        try CVRenderer.document(form, language: .ar, style: .gulf, photo: photo).data().write(to: gulfInput)
        let gulf = work.appendingPathComponent("cv-gulf.pdf")
        try await converter.convert(gulfInput, to: gulf)
        await converter.stop()
        let images = try await FFmpeg.run(["-list", gulf.path], tool: "pdfimages")
        // pdfimages -list: page, num, type, width, height, … per image.
        let pictures = images.split(separator: "\n").map { $0.split(separator: " ") }.filter {
            $0.count > 4 && $0[2] == "image"
        }
        #expect(pictures.count == 1 && pictures.first?[3] == "120" && pictures.first?[4] == "160", "\(images)")
        #expect(try await Self.pdfText(gulf).filter { !$0.isWhitespace }.contains("سارةأحمد"))
        // Compared without white space: pdftotext moves spaces around punctuation in right-to-left lines.
        let text = try await Self.pdfText(output).filter { !$0.isWhitespace }
        var position = text.startIndex
        for field in form.texts(style: .ats).map({ $0.filter { !$0.isWhitespace } }) {
            guard let found = text.range(of: field, range: position..<text.endIndex) else {
                Issue.record("\(field) is missing from the PDF or out of order: \(text[position...])")
                continue
            }
            position = found.upperBound
        }
    }
}

extension DocConvertJobTests {
    /// A deck through LibreOffice: one PDF page per slide, titles and bullets readable.
    @Test func anArabicDeckBecomesAPDFWithOnePagePerSlide() async throws {
        let slides = (1...4).map {
            PptxDocument.Slide(
                title: "المحور رقم \($0)", bullets: ["النقطة الأولى", "النقطة الثانية"], notes: "ملاحظة")
        }
        let deck = PptxDocument(
            title: "الطاقة الشمسية في الأردن", subtitle: "لطلاب الجامعة", slides: slides, language: "ar-JO",
            rightToLeft: true, theme: .sand)
        let converter = OfficeConverter(
            settings: try OfficeSettings(ConfigSource([:])), logger: Logger(label: "office-test"))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("deck-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("deck.pptx")
        try deck.data().write(to: input)
        let output = work.appendingPathComponent("deck.pdf")
        try await converter.convert(input, to: output)
        await converter.stop()
        let text = try await Self.pdfText(output).filter { !$0.isWhitespace }
        for expected in ["الطاقةالشمسيةفيالأردن", "المحوررقم4", "النقطةالثانية"] {
            #expect(text.contains(expected), "\(expected) not in \(text)")
        }
        // One page per slide: pdftotext ends each page with a form feed.
        let pages = try await Self.pdfText(output).filter { $0 == "\u{0C}" }.count
        #expect(pages == deck.slideCount)
    }
}
