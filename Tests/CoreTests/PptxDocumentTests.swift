import Foundation
import FoundationXML
import Testing

@testable import Core

struct PptxDocumentTests {
    static func deck(rightToLeft: Bool = true, theme: PptxDocument.Theme = .classic, count: Int = 4) -> PptxDocument {
        let slides = (1..<count).map { index in
            PptxDocument.Slide(
                title: rightToLeft ? "المحور \(index)" : "Part \(index)",
                bullets: rightToLeft ? ["النقطة الأولى", "النقطة الثانية & <الثالثة>"] : ["First", "Second"],
                notes: index == 1 ? nil : (rightToLeft ? "ملاحظة المتحدث \(index)" : "Speaker note \(index)"))
        }
        return PptxDocument(
            title: rightToLeft ? "الطاقة الشمسية في الأردن" : "Solar in Jordan",
            subtitle: rightToLeft ? "لطلاب الجامعة" : nil,
            slides: slides, language: rightToLeft ? "ar-JO" : "en-US", rightToLeft: rightToLeft, theme: theme)
    }

    @Test func aDeckIsAWellFormedPackageWithOneSlidePerRequestedSlideAndItsNotes() throws {
        let data = try Self.deck(count: 5).data()
        #expect(FileType.sniff(data) == .pptx)
        let parts = try OOXMLPackage.parts(of: data)
        for (name, part) in parts where name.hasSuffix(".xml") || name.hasSuffix(".rels") {
            #expect(XMLParser(data: part).parse(), "\(name) is not well-formed XML")
        }
        let slides = parts.keys.filter { $0.hasPrefix("ppt/slides/slide") && $0.hasSuffix(".xml") }
        #expect(slides.count == 5)
        let presentation = String(decoding: parts["ppt/presentation.xml"] ?? Data(), as: UTF8.self)
        #expect(presentation.components(separatedBy: "<p:sldId ").count - 1 == 5)
        let types = String(decoding: parts["[Content_Types].xml"] ?? Data(), as: UTF8.self)
        for slide in slides { #expect(types.contains("PartName=\"/\(slide)\"")) }
        // Notes for slides 3–5 (the first content slide has none), each linked from its slide.
        let notes = parts.keys.filter { $0.hasPrefix("ppt/notesSlides/notesSlide") && $0.hasSuffix(".xml") }.sorted()
        #expect(
            notes == [
                "ppt/notesSlides/notesSlide3.xml", "ppt/notesSlides/notesSlide4.xml", "ppt/notesSlides/notesSlide5.xml",
            ])
        let rels = String(decoding: parts["ppt/slides/_rels/slide3.xml.rels"] ?? Data(), as: UTF8.self)
        #expect(rels.contains("../notesSlides/notesSlide3.xml"))
        #expect(
            String(decoding: parts["ppt/notesSlides/notesSlide3.xml"] ?? Data(), as: UTF8.self).contains(
                "ملاحظة المتحدث 2"))
    }

    @Test func arabicSlidesAreRightToLeftWithAnArabicFontAndTheTextVerbatim() throws {
        let parts = try OOXMLPackage.parts(of: try Self.deck().data())
        let title = String(decoding: parts["ppt/slides/slide1.xml"] ?? Data(), as: UTF8.self)
        #expect(title.contains("الطاقة الشمسية في الأردن") && title.contains("لطلاب الجامعة"))
        let slide = String(decoding: parts["ppt/slides/slide2.xml"] ?? Data(), as: UTF8.self)
        #expect(slide.contains(#"algn="r" rtl="1""#))
        #expect(slide.contains(#"<a:cs typeface="Noto Naskh Arabic"/>"#) && slide.contains(#"lang="ar-JO""#))
        #expect(slide.contains("النقطة الثانية &amp; &lt;الثالثة&gt;"))
        #expect(slide.contains(#"<a:buChar char="•"/>"#))
        var withAmount = Self.deck()
        withAmount.slides[0].bullets = ["الكلفة 3,000 JOD للنظام"]
        let amount = String(
            decoding: try OOXMLPackage.parts(of: try withAmount.data())["ppt/slides/slide2.xml"] ?? Data(),
            as: UTF8.self)
        #expect(amount.contains("الكلفة \u{202A}3,000 JOD\u{202C} للنظام"), "amounts keep their order in Arabic lines")
        let english = try OOXMLPackage.parts(of: try Self.deck(rightToLeft: false).data())
        let englishSlide = String(decoding: english["ppt/slides/slide2.xml"] ?? Data(), as: UTF8.self)
        #expect(englishSlide.contains(#"algn="l" rtl="0""#) && !englishSlide.contains(#"rtl="1""#))
    }

    @Test func themesDifferAndLongListsGetSmallerText() throws {
        var backgrounds = Set<String>()
        for theme in PptxDocument.Theme.allCases {
            let slide = String(
                decoding: try OOXMLPackage.parts(of: try Self.deck(theme: theme).data())["ppt/slides/slide2.xml"]
                    ?? Data(),
                as: UTF8.self)
            let range = try #require(slide.range(of: #"<p:bg><p:bgPr><a:solidFill><a:srgbClr val=""#))
            backgrounds.insert(String(slide[range.upperBound...].prefix(6)))
        }
        #expect(backgrounds.count == 3)
        let short = PptxDocument.bulletSize(["One", "Two", "Three"])
        let long = PptxDocument.bulletSize(Array(repeating: String(repeating: "كلمة ", count: 50), count: 8))
        #expect(short == 2400 && long < short)
    }
}

struct SRTTests {
    @Test func subRipBlocksBecomeCaptions() throws {
        let captions = try SRT.parse(
            "\u{FEFF}1\r\n00:00:00,500 --> 00:00:03,000\r\nمرحبا بكم\r\nفي عمّان\r\n\r\n2\n00:01:03.250 --> 00:01:05,000 X1:0\nBye\n"
        )
        #expect(captions.count == 2)
        #expect(captions[0] == .init(start: 0.5, end: 3, text: "مرحبا بكم\nفي عمّان"))
        #expect(captions[1].start == 63.25 && captions[1].end == 65 && captions[1].text == "Bye")
        #expect(throws: SRT.Failure(line: 2)) { try SRT.parse("1\n00:00:05,000 --> 00:00:01,000\nbackwards\n") }
        #expect(throws: SRT.Failure.self) { try SRT.parse("just some text") }
    }
}
