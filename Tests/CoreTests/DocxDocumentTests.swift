import Foundation
import FoundationXML
import Testing

@testable import Core

/// The Word documents we write: a well-formed package, Word's heading styles, right-to-left properties for
/// Arabic with Latin stretches kept left-to-right, and the entered text verbatim.
struct DocxDocumentTests {
    static let arabicForm = """
        {"full_name": "سارة أحمد", "headline": "مهندسة برمجيات", "email": "sara@example.jo", "phone": "+962 79 123 4567",
         "location": "عمّان، الأردن", "summary": "مهندسة برمجيات بخبرة خمس سنوات في تطوير تطبيقات الويب.",
         "skills": ["Swift", "تحليل البيانات"],
         "experience": [{"title": "مهندسة برمجيات", "company": "شركة أمنية", "start": "2021", "end": "2024",
                         "bullets": ["طوّرت نظام دفع يخدم 200,000 مستخدم", "قدت فريقًا من 4 مطورين"]}],
         "education": [{"degree": "بكالوريوس علم الحاسوب", "school": "الجامعة الأردنية", "end": "2019"}],
         "languages": [{"name": "العربية", "level": "اللغة الأم"}, {"name": "English", "level": "C1"}],
         "nationality": "أردنية", "date_of_birth": "1997-04-12"}
        """

    static func form(_ json: String = arabicForm) throws -> CVForm {
        try JSONDecoder().decode(CVForm.self, from: Data(json.utf8)).validated()
    }

    /// The document's text as Word would read it: `w:t` contents, XML entities decoded.
    static func texts(_ xml: String) -> String {
        final class Collector: NSObject, XMLParserDelegate {
            var inText = false
            var out = ""
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                if name == "w:t" { inText = true }
                if name == "w:p" { out += "\n" }
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?)
            {
                if name == "w:t" { inText = false }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { out += string } }
        }
        let collector = Collector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        _ = parser.parse()
        return collector.out
    }

    @Test func anArabicCVIsAWellFormedRightToLeftPackageWithEveryField() throws {
        let form = try Self.form()
        let data = try CVRenderer.document(form, language: .ar, style: .gulf).data()
        #expect(FileType.sniff(data) == .docx)
        let parts = try OOXMLPackage.parts(of: data)
        for name in [
            "[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/numbering.xml",
            "word/settings.xml", "word/_rels/document.xml.rels", "docProps/core.xml", "docProps/app.xml",
        ] {
            let part = try #require(parts[name], "missing \(name)")
            #expect(XMLParser(data: part).parse(), "\(name) is not well-formed XML")
        }
        let document = String(decoding: try #require(parts["word/document.xml"]), as: UTF8.self)
        let styles = String(decoding: try #require(parts["word/styles.xml"]), as: UTF8.self)
        #expect(styles.contains(#"<w:name w:val="heading 1"/>"#) && styles.contains(#"<w:name w:val="Title"/>"#))
        #expect(styles.contains(#"w:cs="Noto Naskh Arabic""#) && styles.contains(#"w:ascii="Arial""#))
        #expect(document.contains("<w:sectPr>") && document.contains("<w:bidi/></w:sectPr>"))
        #expect(!document.contains("w:jc="), "alignment comes from bidi, not from w:jc")
        #expect(!document.contains("<w:tbl>") && !document.contains("txbx"), "one column: no tables or text boxes")
        // Arabic runs are right-to-left; the e-mail address and phone number stay left-to-right.
        #expect(document.contains(#"<w:rPr><w:rtl/></w:rPr><w:t xml:space="preserve">سارة أحمد</w:t>"#))
        #expect(
            document.contains(
                "<w:r><w:t xml:space=\"preserve\">\u{202A}sara@example.jo | +962 79 123 4567\u{202C}</w:t></w:r>"
                    + "<w:r><w:rPr><w:rtl/></w:rPr><w:t xml:space=\"preserve\"> | "))
        #expect(document.contains("<w:t xml:space=\"preserve\">200,000</w:t>"), "a plain number is left alone")
        #expect(document.contains("<w:t xml:space=\"preserve\">\u{202A}1997-04-12\u{202C}</w:t>"))
        let text = Self.texts(document)
        var position = text.startIndex
        for field in form.texts(style: .gulf) {
            guard let found = text.range(of: field, range: position..<text.endIndex) else {
                Issue.record("\(field) is missing or out of order")
                continue
            }
            position = found.lowerBound
        }
        for heading in ["الملخص المهني", "الخبرة العملية", "التعليم", "المهارات", "اللغات", "البيانات الشخصية"] {
            #expect(document.contains(heading))
        }
    }

    @Test func theATSStyleLeavesOutPersonalDetailsAndEnglishIsLeftToRight() throws {
        let form = try Self.form()
        let ats = try OOXMLPackage.parts(of: try CVRenderer.document(form, language: .ar, style: .ats).data())
        let atsXML = String(decoding: ats["word/document.xml"] ?? Data(), as: UTF8.self)
        #expect(!atsXML.contains("الجنسية") && !atsXML.contains("1997-04-12"))
        let english = try Self.form(
            #"{"full_name": "Sara Ahmad", "skills": ["Swift"], "summary": "Engineer & lead <3"}"#)
        let parts = try OOXMLPackage.parts(of: try CVRenderer.document(english, language: .en, style: .ats).data())
        let xml = String(decoding: parts["word/document.xml"] ?? Data(), as: UTF8.self)
        #expect(!xml.contains("<w:bidi/>") && !xml.contains("<w:rtl/>"))
        #expect(xml.contains("Engineer &amp; lead &lt;3") && xml.contains("Professional Summary"))
    }

    @Test func mixedTextIsSplitIntoScriptRuns() {
        let segments = BidiText.segments("البريد: sara@example.jo (عمل)")
        #expect(segments.map(\.0) == ["البريد: ", "sara@example.jo (", "عمل)"])
        #expect(segments.map(\.1) == [true, false, true])
        // In a right-to-left line the separators before Arabic go with it, and brackets stay with their text.
        let contact = BidiText.segments("sara@example.jo | +962 79 123 4567 | عمّان، الأردن", rightToLeft: true)
        #expect(contact.map(\.0) == ["sara@example.jo | +962 79 123 4567", " | عمّان، الأردن"])
        let email = BidiText.segments("البريد: sara@example.jo (عمل)", rightToLeft: true)
        #expect(email.map(\.0) == ["البريد: ", "sara@example.jo", " (عمل)"])
        #expect(BidiText.embedded("من 2021-01 إلى 2024") == "من \u{202A}2021-01\u{202C} إلى 2024")
    }

    @Test func badFormsAreRefused() throws {
        #expect(throws: AppError.self) { try Self.form(#"{"full_name": "   "}"#) }
        let huge = String(repeating: "ا", count: 100_000)
        #expect(throws: AppError.self) { try Self.form(#"{"full_name": "Sara", "summary": "\#(huge)"}"#) }
        let many = (0..<31).map { "\"s\($0)\"" }.joined(separator: ",")
        #expect(throws: AppError.self) { try Self.form(#"{"full_name": "Sara", "skills": [\#(many)]}"#) }
        #expect(throws: AppError.self) { try Self.form(#"{"full_name": "Sara", "email": "not an address"}"#) }
        #expect(try Self.form(#"{"full_name": "  Sara  ", "skills": ["", " Swift "]}"#).skills == ["Swift"])
    }
}
