import Foundation

/// A Word document written by us (WordprocessingML): headings, paragraphs, bullet lists and simple tables,
/// right-to-left when the document is Arabic. Kept plain on purpose — one column, real headings, real text,
/// no text boxes; a picture only inline in its own paragraph (a Gulf-style CV's photo) — so applicant-tracking
/// systems and screen readers read it in order.
public struct DocxDocument: Sendable {
    public enum Direction: Sendable { case leftToRight, rightToLeft }

    public struct Run: Sendable, Equatable {
        public var text: String
        public var bold: Bool
        public var italic: Bool

        public init(_ text: String, bold: Bool = false, italic: Bool = false) {
            self.text = text
            self.bold = bold
            self.italic = italic
        }
    }

    /// A PNG or JPEG shown inline at `width` × `height` EMU (914,400 to the inch), with alternative text.
    public struct Picture: Sendable, Equatable {
        public var data: Data
        public var format: FileType
        public var width: Int
        public var height: Int
        public var description: String

        public init(data: Data, format: FileType, width: Int, height: Int, description: String) {
            self.data = data
            self.format = format
            self.width = width
            self.height = height
            self.description = description
        }

        /// Scaled to `width` EMU wide and at most `maxHeight` high, keeping the picture's own shape.
        public init?(data: Data, fittingWidth width: Int, maxHeight: Int, description: String) {
            guard let size = PictureSize.of(data), size.width > 0, size.height > 0 else { return nil }
            var w = width
            var h = width * size.height / size.width
            if h > maxHeight {
                h = maxHeight
                w = maxHeight * size.width / size.height
            }
            self.init(data: data, format: size.format, width: w, height: h, description: description)
        }
    }

    public enum Block: Sendable, Equatable {
        /// A picture in its own paragraph, on the reading side.
        case picture(Picture)
        /// The document title (the person's name on a CV).
        case title(String)
        /// A section heading (level 1) or a sub-heading (level 2).
        case heading(String, level: Int)
        case paragraph([Run])
        case bullet([Run])
        /// Rows of cells; the first row is a header row when `header` is set.
        case table([[String]], header: Bool)
    }

    public var title: String
    /// BCP 47, e.g. `ar-JO` or `en-US`.
    public var language: String
    public var direction: Direction
    public var blocks: [Block]
    /// The Latin font, and the font for Arabic script (complex script in Word's terms).
    public var font: String
    public var arabicFont: String

    public init(
        title: String, language: String, direction: Direction, blocks: [Block] = [], font: String = "Arial",
        arabicFont: String = "Noto Naskh Arabic"
    ) {
        self.title = title
        self.language = language
        self.direction = direction
        self.blocks = blocks
        self.font = font
        self.arabicFont = arabicFont
    }

    public var isRightToLeft: Bool { direction == .rightToLeft }

    /// The .docx bytes.
    public func data(created: Date = Date()) throws -> Data {
        try OOXMLPackage.zip(
            [
                ("[Content_Types].xml", Data(contentTypes.utf8)),
                ("_rels/.rels", Data(Self.packageRelationships.utf8)),
                ("docProps/core.xml", Data(coreProperties(created: created).utf8)),
                ("docProps/app.xml", Data(Self.appProperties.utf8)),
                ("word/_rels/document.xml.rels", Data(documentRelationships.utf8)),
                ("word/styles.xml", Data(styles.utf8)),
                ("word/numbering.xml", Data(numbering.utf8)),
                ("word/settings.xml", Data(settings.utf8)),
                ("word/document.xml", Data(document.utf8)),
            ] + pictures.enumerated().map { index, picture in (Self.mediaPath(index, picture), picture.data) })
    }

    /// The document's pictures, in order: the n-th is `word/media/image<n+1>.<ext>`, relationship `rIdImage<n+1>`.
    var pictures: [Picture] {
        blocks.compactMap { if case .picture(let picture) = $0 { picture } else { nil } }
    }

    static func mediaPath(_ index: Int, _ picture: Picture) -> String {
        "word/media/image\(index + 1).\(picture.format == .jpeg ? "jpeg" : "png")"
    }

    // MARK: Parts

    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    var contentTypes: String {
        let formats = Set(pictures.map(\.format))
        let media =
            (formats.contains(.png) ? "<Default Extension=\"png\" ContentType=\"image/png\"/>" : "")
            + (formats.contains(.jpeg) ? "<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>" : "")
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\(media)\
            <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
            <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
            <Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>\
            <Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            <Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>\
            </Types>
            """
    }

    static let packageRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>\
        </Relationships>
        """

    var documentRelationships: String {
        let images = pictures.enumerated().map { index, picture in
            "<Relationship Id=\"rIdImage\(index + 1)\" "
                + "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" "
                + "Target=\"\(Self.mediaPath(index, picture).dropFirst("word/".count))\"/>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>\
            <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>\
            \(images)</Relationships>
            """
    }

    static let appProperties = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>AI Studio</Application></Properties>
        """

    func coreProperties(created: Date) -> String {
        let stamp = ISO8601DateFormatter().string(from: created)
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
            <dc:title>\(Self.escape(title))</dc:title><dc:creator>AI Studio</dc:creator>\
            <dc:language>\(Self.escape(language))</dc:language>\
            <dcterms:created xsi:type="dcterms:W3CDTF">\(stamp)</dcterms:created>\
            </cp:coreProperties>
            """
    }

    var settings: String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:settings xmlns:w="\(Self.wordNamespace)"><w:defaultTabStop w:val="720"/>\
        <w:themeFontLang w:val="\(Self.escape(language))" w:bidi="ar-JO"/></w:settings>
        """
    }

    /// Styles with the built-in names (Title, Heading 1, Heading 2, List Bullet) that parsers look for.
    var styles: String {
        let fonts =
            "<w:rFonts w:ascii=\"\(font)\" w:hAnsi=\"\(font)\" w:cs=\"\(arabicFont)\" w:eastAsia=\"\(font)\"/>"
        let lang = "<w:lang w:val=\"\(isRightToLeft ? "ar-JO" : language)\" w:bidi=\"ar-JO\"/>"
        let bidi = isRightToLeft ? "<w:bidi/>" : ""
        func style(_ id: String, _ name: String, size: Int, bold: Bool, before: Int, after: Int, outline: Int?)
            -> String
        {
            let b = bold ? "<w:b/><w:bCs/>" : ""
            let level = outline.map { "<w:outlineLvl w:val=\"\($0)\"/>" } ?? ""
            return """
                <w:style w:type="paragraph" w:styleId="\(id)"><w:name w:val="\(name)"/><w:basedOn w:val="Normal"/>\
                <w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/>\(bidi)<w:spacing w:before="\(before)" w:after="\(after)"/>\
                \(level)</w:pPr><w:rPr>\(b)<w:sz w:val="\(size)"/><w:szCs w:val="\(size)"/></w:rPr></w:style>
                """
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:styles xmlns:w="\(Self.wordNamespace)">\
            <w:docDefaults><w:rPrDefault><w:rPr>\(fonts)<w:sz w:val="22"/><w:szCs w:val="22"/>\(lang)</w:rPr></w:rPrDefault>\
            <w:pPrDefault><w:pPr>\(bidi)<w:spacing w:after="120" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>\
            <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>\
            \(style("Title", "Title", size: 40, bold: true, before: 0, after: 120, outline: nil))\
            \(style("Heading1", "heading 1", size: 28, bold: true, before: 240, after: 80, outline: 0))\
            \(style("Heading2", "heading 2", size: 24, bold: true, before: 160, after: 40, outline: 1))\
            <w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>\
            <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr>\(bidi)<w:spacing w:after="60"/></w:pPr></w:style>\
            <w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr>\(isRightToLeft ? "<w:bidiVisual/>" : "")\
            <w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/><w:start w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>\
            <w:bottom w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/><w:end w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>\
            <w:insideH w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="BFBFBF"/>\
            </w:tblBorders></w:tblPr></w:style>\
            </w:styles>
            """
    }

    var numbering: String {
        // start/end indents so the bullet sits on the reading side in both directions.
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:numbering xmlns:w="\(Self.wordNamespace)">\
        <w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="singleLevel"/>\
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="start"/>\
        <w:pPr><w:ind w:start="360" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>\
        <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>\
        </w:numbering>
        """
    }

    var document: String {
        var body = ""
        var pictureIndex = 0
        for block in blocks {
            switch block {
            case .picture(let picture):
                pictureIndex += 1
                body += pictureParagraph(picture, number: pictureIndex)
            case .title(let text):
                body += paragraph(style: "Title", runs: [Run(text)])
            case .heading(let text, let level):
                body += paragraph(style: level <= 1 ? "Heading1" : "Heading2", runs: [Run(text)])
            case .paragraph(let runs):
                body += paragraph(style: nil, runs: runs)
            case .bullet(let runs):
                body += paragraph(style: "ListBullet", runs: runs)
            case .table(let rows, let header):
                body += table(rows, header: header)
            }
        }
        // A4 with 2 cm margins.
        let section = """
            <w:sectPr><w:pgSz w:w="11906" w:h="16838"/>\
            <w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/>\
            \(isRightToLeft ? "<w:bidi/>" : "")</w:sectPr>
            """
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="\(Self.wordNamespace)" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
            xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
            xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
            xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">\
            <w:body>\(body)\(section)</w:body></w:document>
            """
    }

    /// An inline DrawingML picture (not floating, not in a text box) in a paragraph of its own.
    func pictureParagraph(_ picture: Picture, number: Int) -> String {
        let bidi = isRightToLeft ? "<w:bidi/>" : ""
        let alt = Self.escape(picture.description)
        let size = "cx=\"\(picture.width)\" cy=\"\(picture.height)\""
        let name = (Self.mediaPath(number - 1, picture) as NSString).lastPathComponent
        return """
            <w:p><w:pPr>\(bidi)<w:jc w:val="start"/></w:pPr><w:r><w:drawing>\
            <wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent \(size)/>\
            <wp:docPr id="\(number)" name="Picture \(number)" descr="\(alt)"/>\
            <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>\
            <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>\
            <pic:nvPicPr><pic:cNvPr id="\(number)" name="\(name)" descr="\(alt)"/><pic:cNvPicPr/></pic:nvPicPr>\
            <pic:blipFill><a:blip r:embed="rIdImage\(number)"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
            <pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext \(size)/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>\
            </pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
            """
    }

    func paragraph(style: String?, runs: [Run]) -> String {
        let styleXML = style.map { "<w:pStyle w:val=\"\($0)\"/>" } ?? ""
        let bidi = isRightToLeft ? "<w:bidi/>" : ""
        return "<w:p><w:pPr>\(styleXML)\(bidi)</w:pPr>\(runs.map(runXML).joined())</w:p>"
    }

    /// One run per stretch of text in one script: Arabic stretches are marked right-to-left, so numbers,
    /// e-mail addresses and Latin names inside an Arabic line keep their own order.
    func runXML(_ run: Run) -> String {
        BidiText.segments(run.text, rightToLeft: isRightToLeft).map { segment, arabic in
            var properties = ""
            if run.bold { properties += "<w:b/><w:bCs/>" }
            if run.italic { properties += "<w:i/><w:iCs/>" }
            if arabic { properties += "<w:rtl/>" }
            let rPr = properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>"
            let text = isRightToLeft && !arabic ? BidiText.embeddedIfNeeded(segment) : segment
            return "<w:r>\(rPr)<w:t xml:space=\"preserve\">\(Self.escape(text))</w:t></w:r>"
        }.joined()
    }

    func table(_ rows: [[String]], header: Bool) -> String {
        let columns = rows.map(\.count).max() ?? 0
        guard columns > 0 else { return "" }
        let width = 9638 / columns
        var xml = "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/>"
        xml += isRightToLeft ? "<w:bidiVisual/>" : ""
        xml += "</w:tblPr><w:tblGrid>" + String(repeating: "<w:gridCol w:w=\"\(width)\"/>", count: columns)
        xml += "</w:tblGrid>"
        for (index, row) in rows.enumerated() {
            let isHeader = header && index == 0
            xml += "<w:tr>" + (isHeader ? "<w:trPr><w:tblHeader/></w:trPr>" : "")
            for column in 0..<columns {
                let text = column < row.count ? row[column] : ""
                xml += "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/></w:tcPr>"
                xml += paragraph(style: nil, runs: [Run(text, bold: isHeader)]) + "</w:tc>"
            }
            xml += "</w:tr>"
        }
        return xml + "</w:tbl><w:p/>"
    }

    /// XML text: escaped, and without the control characters XML 1.0 forbids.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
