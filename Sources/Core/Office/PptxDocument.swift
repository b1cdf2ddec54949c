import Foundation

/// A PowerPoint deck written by us (PresentationML, 16:9): a title slide, then content slides with a title,
/// bullets and speaker notes, in one of three themes; right-to-left with Arabic fonts when the deck is Arabic.
/// Text is sized to its box from the amount of text, so nothing overflows.
public struct PptxDocument: Sendable {
    public struct Slide: Sendable, Equatable, Codable {
        public var title: String
        public var bullets: [String]
        public var notes: String?

        public init(title: String, bullets: [String], notes: String? = nil) {
            self.title = title
            self.bullets = bullets
            self.notes = notes
        }
    }

    public enum Theme: String, Sendable, Codable, CaseIterable {
        case classic, midnight, sand

        /// Background, title colour, body colour, accent (hex RGB).
        var colors: (background: String, title: String, body: String, accent: String) {
            switch self {
            case .classic: ("FFFFFF", "0F766E", "1D2433", "0F766E")
            case .midnight: ("14213D", "FCA311", "F5F5F5", "FCA311")
            case .sand: ("F5EFE6", "7C4A2D", "3B2F2A", "B08968")
            }
        }
    }

    public var title: String
    public var subtitle: String?
    public var slides: [Slide]
    public var language: String
    public var rightToLeft: Bool
    public var theme: Theme
    public var font: String
    public var arabicFont: String

    public init(
        title: String, subtitle: String?, slides: [Slide], language: String, rightToLeft: Bool, theme: Theme,
        font: String = "Arial", arabicFont: String = "Noto Naskh Arabic"
    ) {
        self.title = title
        self.subtitle = subtitle
        self.slides = slides
        self.language = language
        self.rightToLeft = rightToLeft
        self.theme = theme
        self.font = font
        self.arabicFont = arabicFont
    }

    /// Every slide in the deck: the title slide first.
    public var slideCount: Int { slides.count + 1 }

    public func data(created: Date = Date()) throws -> Data {
        var parts: [(path: String, data: Data)] = [
            ("[Content_Types].xml", Data(contentTypes.utf8)),
            ("_rels/.rels", Data(Self.packageRelationships.utf8)),
            ("docProps/core.xml", Data(coreProperties(created: created).utf8)),
            ("docProps/app.xml", Data(appProperties.utf8)),
            ("ppt/presentation.xml", Data(presentation.utf8)),
            ("ppt/_rels/presentation.xml.rels", Data(presentationRelationships.utf8)),
            ("ppt/slideMasters/slideMaster1.xml", Data(slideMaster.utf8)),
            ("ppt/slideMasters/_rels/slideMaster1.xml.rels", Data(Self.masterRelationships.utf8)),
            ("ppt/slideLayouts/slideLayout1.xml", Data(Self.layout(name: "Title Slide", type: "title").utf8)),
            ("ppt/slideLayouts/slideLayout2.xml", Data(Self.layout(name: "Title and Content", type: "obj").utf8)),
            ("ppt/slideLayouts/_rels/slideLayout1.xml.rels", Data(Self.layoutRelationships.utf8)),
            ("ppt/slideLayouts/_rels/slideLayout2.xml.rels", Data(Self.layoutRelationships.utf8)),
            ("ppt/notesMasters/notesMaster1.xml", Data(Self.notesMaster.utf8)),
            ("ppt/notesMasters/_rels/notesMaster1.xml.rels", Data(Self.notesMasterRelationships.utf8)),
            ("ppt/theme/theme1.xml", Data(themeXML(name: "AI Studio \(theme.rawValue)").utf8)),
            ("ppt/theme/theme2.xml", Data(themeXML(name: "AI Studio notes").utf8)),
        ]
        for index in 1...slideCount {
            let slideXML = index == 1 ? titleSlide : contentSlide(slides[index - 2])
            let notes = index == 1 ? nil : slides[index - 2].notes
            parts.append(("ppt/slides/slide\(index).xml", Data(slideXML.utf8)))
            parts.append(
                (
                    "ppt/slides/_rels/slide\(index).xml.rels",
                    Data(slideRelationships(index, hasNotes: notes != nil).utf8)
                )
            )
            if let notes {
                parts.append(("ppt/notesSlides/notesSlide\(index).xml", Data(notesSlide(notes).utf8)))
                parts.append(
                    ("ppt/notesSlides/_rels/notesSlide\(index).xml.rels", Data(Self.notesRelationships(index).utf8)))
            }
        }
        return try OOXMLPackage.zip(parts)
    }

    // MARK: Package

    static let p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    static let a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    static let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let namespaces = "xmlns:a=\"\(a)\" xmlns:r=\"\(r)\" xmlns:p=\"\(p)\""

    var notesIndexes: [Int] { slides.enumerated().compactMap { $0.element.notes == nil ? nil : $0.offset + 2 } }

    var contentTypes: String {
        let pml = "application/vnd.openxmlformats-officedocument.presentationml"
        var overrides = """
            <Override PartName="/ppt/presentation.xml" ContentType="\(pml).presentation.main+xml"/>\
            <Override PartName="/ppt/slideMasters/slideMaster1.xml" ContentType="\(pml).slideMaster+xml"/>\
            <Override PartName="/ppt/slideLayouts/slideLayout1.xml" ContentType="\(pml).slideLayout+xml"/>\
            <Override PartName="/ppt/slideLayouts/slideLayout2.xml" ContentType="\(pml).slideLayout+xml"/>\
            <Override PartName="/ppt/notesMasters/notesMaster1.xml" ContentType="\(pml).notesMaster+xml"/>\
            <Override PartName="/ppt/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>\
            <Override PartName="/ppt/theme/theme2.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            <Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
            """
        for index in 1...slideCount {
            overrides += "<Override PartName=\"/ppt/slides/slide\(index).xml\" ContentType=\"\(pml).slide+xml\"/>"
        }
        for index in notesIndexes {
            overrides +=
                "<Override PartName=\"/ppt/notesSlides/notesSlide\(index).xml\" ContentType=\"\(pml).notesSlide+xml\"/>"
        }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\(overrides)</Types>
            """
    }

    static let packageRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(rel)/officeDocument" Target="ppt/presentation.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        <Relationship Id="rId3" Type="\(rel)/extended-properties" Target="docProps/app.xml"/>\
        </Relationships>
        """

    func coreProperties(created: Date) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
        xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
        <dc:title>\(DocxDocument.escape(title))</dc:title><dc:creator>AI Studio</dc:creator>\
        <dc:language>\(DocxDocument.escape(language))</dc:language>\
        <dcterms:created xsi:type="dcterms:W3CDTF">\(ISO8601DateFormatter().string(from: created))</dcterms:created>\
        </cp:coreProperties>
        """
    }

    var appProperties: String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
        <Application>AI Studio</Application><Slides>\(slideCount)</Slides></Properties>
        """
    }

    var presentation: String {
        var ids = ""
        for index in 1...slideCount { ids += "<p:sldId id=\"\(255 + index)\" r:id=\"rId\(index + 10)\"/>" }
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <p:presentation \(Self.namespaces) saveSubsetFonts="1">\
            <p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>\
            <p:notesMasterIdLst><p:notesMasterId r:id="rId2"/></p:notesMasterIdLst>\
            <p:sldIdLst>\(ids)</p:sldIdLst>\
            <p:sldSz cx="12192000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>\
            </p:presentation>
            """
    }

    var presentationRelationships: String {
        var out = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="\(Self.rel)/slideMaster" Target="slideMasters/slideMaster1.xml"/>\
            <Relationship Id="rId2" Type="\(Self.rel)/notesMaster" Target="notesMasters/notesMaster1.xml"/>\
            <Relationship Id="rId3" Type="\(Self.rel)/theme" Target="theme/theme1.xml"/>
            """
        for index in 1...slideCount {
            out +=
                "<Relationship Id=\"rId\(index + 10)\" Type=\"\(Self.rel)/slide\" Target=\"slides/slide\(index).xml\"/>"
        }
        return out + "</Relationships>"
    }

    static let emptyTree = """
        <p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>\
        <p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>
        """

    var slideMaster: String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <p:sldMaster \(Self.namespaces)><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="\(theme.colors.background)"/></a:solidFill>\
        <a:effectLst/></p:bgPr></p:bg><p:spTree>\(Self.emptyTree)</p:spTree></p:cSld>\
        <p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" \
        accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>\
        <p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/><p:sldLayoutId id="2147483650" r:id="rId2"/></p:sldLayoutIdLst>\
        </p:sldMaster>
        """
    }

    static let masterRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(rel)/slideLayout" Target="../slideLayouts/slideLayout1.xml"/>\
        <Relationship Id="rId2" Type="\(rel)/slideLayout" Target="../slideLayouts/slideLayout2.xml"/>\
        <Relationship Id="rId3" Type="\(rel)/theme" Target="../theme/theme1.xml"/>\
        </Relationships>
        """

    static func layout(name: String, type: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <p:sldLayout \(namespaces) type="\(type)" preserve="1"><p:cSld name="\(name)"><p:spTree>\(emptyTree)</p:spTree></p:cSld>\
        <p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>
        """
    }

    static let layoutRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(rel)/slideMaster" Target="../slideMasters/slideMaster1.xml"/></Relationships>
        """

    static let notesMaster = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <p:notesMaster \(namespaces)><p:cSld><p:spTree>\(emptyTree)</p:spTree></p:cSld>\
        <p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3" \
        accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/></p:notesMaster>
        """

    static let notesMasterRelationships = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(rel)/theme" Target="../theme/theme2.xml"/></Relationships>
        """

    func slideRelationships(_ index: Int, hasNotes: Bool) -> String {
        let layout = index == 1 ? 1 : 2
        let notes =
            hasNotes
            ? "<Relationship Id=\"rId2\" Type=\"\(Self.rel)/notesSlide\" Target=\"../notesSlides/notesSlide\(index).xml\"/>"
            : ""
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="\(Self.rel)/slideLayout" Target="../slideLayouts/slideLayout\(layout).xml"/>\(notes)\
            </Relationships>
            """
    }

    static func notesRelationships(_ index: Int) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="\(rel)/notesMaster" Target="../notesMasters/notesMaster1.xml"/>\
        <Relationship Id="rId2" Type="\(rel)/slide" Target="../slides/slide\(index).xml"/></Relationships>
        """
    }

    // MARK: Slides

    /// A text box: position and size in EMU, paragraphs of (text, size in hundredths of a point, bold, bullet).
    func textBox(
        id: Int, name: String, placeholder: String, x: Int, y: Int, cx: Int, cy: Int,
        paragraphs: [(text: String, size: Int, bold: Bool, bullet: Bool)], color: String, centered: Bool = false
    ) -> String {
        let align = centered ? "ctr" : (rightToLeft ? "r" : "l")
        var body = ""
        for paragraph in paragraphs {
            let bullet =
                paragraph.bullet
                ? "<a:buClr><a:srgbClr val=\"\(theme.colors.accent)\"/></a:buClr><a:buFont typeface=\"Arial\"/><a:buChar char=\"•\"/>"
                : "<a:buNone/>"
            let indent = paragraph.bullet ? " marL=\"342900\" indent=\"-342900\"" : ""
            body += """
                <a:p><a:pPr algn="\(align)" rtl="\(rightToLeft ? 1 : 0)"\(indent)>\(bullet)</a:pPr>\
                <a:r><a:rPr lang="\(language)" sz="\(paragraph.size)" b="\(paragraph.bold ? 1 : 0)" dirty="0">\
                <a:solidFill><a:srgbClr val="\(color)"/></a:solidFill><a:latin typeface="\(font)"/>\
                <a:cs typeface="\(arabicFont)"/></a:rPr><a:t>\(DocxDocument.escape(text(paragraph.text)))</a:t></a:r></a:p>
                """
        }
        return """
            <p:sp><p:nvSpPr><p:cNvPr id="\(id)" name="\(name)"/><p:cNvSpPr txBox="1"/><p:nvPr>\(placeholder)</p:nvPr></p:nvSpPr>\
            <p:spPr><a:xfrm><a:off x="\(x)" y="\(y)"/><a:ext cx="\(cx)" cy="\(cy)"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>\
            <p:txBody><a:bodyPr wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720" anchor="\(centered ? "ctr" : "t")">\
            <a:normAutofit/></a:bodyPr><a:lstStyle/>\(body)</p:txBody></p:sp>
            """
    }

    /// Text as laid out in the deck's direction (dates and amounts keep their order in Arabic lines).
    func text(_ value: String) -> String { rightToLeft ? BidiText.embedded(value) : value }

    func slideXML(_ shapes: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <p:sld \(Self.namespaces)><p:cSld><p:bg><p:bgPr><a:solidFill><a:srgbClr val="\(theme.colors.background)"/></a:solidFill>\
        <a:effectLst/></p:bgPr></p:bg><p:spTree>\(Self.emptyTree)\(shapes)</p:spTree></p:cSld>\
        <p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>
        """
    }

    var titleSlide: String {
        var shapes = textBox(
            id: 2, name: "Title", placeholder: "<p:ph type=\"ctrTitle\"/>", x: 838200, y: 2_130_425, cx: 10_515_600,
            cy: 1_470_025, paragraphs: [(title, Self.titleSize(title), true, false)], color: theme.colors.title,
            centered: true)
        if let subtitle {
            shapes += textBox(
                id: 3, name: "Subtitle", placeholder: "<p:ph type=\"subTitle\" idx=\"1\"/>", x: 1_524_000, y: 3_886_200,
                cx: 9_144_000, cy: 1_200_000, paragraphs: [(subtitle, 2400, false, false)], color: theme.colors.body,
                centered: true)
        }
        return slideXML(shapes)
    }

    func contentSlide(_ slide: Slide) -> String {
        let size = Self.bulletSize(slide.bullets)
        var shapes = textBox(
            id: 2, name: "Title", placeholder: "<p:ph type=\"title\"/>", x: 838200, y: 365125, cx: 10_515_600,
            cy: 1_325_563, paragraphs: [(slide.title, min(Self.titleSize(slide.title), 3600), true, false)],
            color: theme.colors.title)
        shapes += textBox(
            id: 3, name: "Content", placeholder: "<p:ph idx=\"1\"/>", x: 838200, y: 1_825_625, cx: 10_515_600,
            cy: 4_351_338, paragraphs: slide.bullets.map { ($0, size, false, true) }, color: theme.colors.body)
        return slideXML(shapes)
    }

    func notesSlide(_ notes: String) -> String {
        let box = textBox(
            id: 2, name: "Notes", placeholder: "<p:ph type=\"body\" idx=\"1\"/>", x: 685800, y: 4_400_550,
            cx: 5_486_400,
            cy: 3_600_450, paragraphs: [(notes, 1200, false, false)], color: "000000")
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <p:notes \(Self.namespaces)><p:cSld><p:spTree>\(Self.emptyTree)\(box)</p:spTree></p:cSld>\
            <p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>
            """
    }

    /// Title size in hundredths of a point: smaller for longer titles.
    static func titleSize(_ text: String) -> Int {
        switch text.count {
        case ..<40: 4400
        case ..<70: 3600
        default: 2800
        }
    }

    /// Bullet size from the amount of text, so the list fits the 4.5-inch box.
    static func bulletSize(_ bullets: [String]) -> Int {
        let characters = bullets.reduce(0) { $0 + $1.count }
        let lines = bullets.reduce(0) { $0 + max(1, ($1.count + 59) / 60) }
        switch (lines, characters) {
        case (...5, ..<260): return 2400
        case (...7, ..<420): return 2000
        case (...10, ..<640): return 1800
        default: return 1400
        }
    }

    func themeXML(name: String) -> String {
        let c = theme.colors
        func fill(_ color: String) -> String { "<a:solidFill><a:srgbClr val=\"\(color)\"/></a:solidFill>" }
        let line = "<a:ln w=\"9525\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln>"
        return """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <a:theme xmlns:a="\(Self.a)" name="\(DocxDocument.escape(name))"><a:themeElements>\
            <a:clrScheme name="AI Studio"><a:dk1><a:srgbClr val="\(c.body)"/></a:dk1><a:lt1><a:srgbClr val="\(c.background)"/></a:lt1>\
            <a:dk2><a:srgbClr val="\(c.title)"/></a:dk2><a:lt2><a:srgbClr val="F2F2F2"/></a:lt2>\
            <a:accent1><a:srgbClr val="\(c.accent)"/></a:accent1><a:accent2><a:srgbClr val="5B21B6"/></a:accent2>\
            <a:accent3><a:srgbClr val="B45309"/></a:accent3><a:accent4><a:srgbClr val="047857"/></a:accent4>\
            <a:accent5><a:srgbClr val="1D4ED8"/></a:accent5><a:accent6><a:srgbClr val="BE123C"/></a:accent6>\
            <a:hlink><a:srgbClr val="1D4ED8"/></a:hlink><a:folHlink><a:srgbClr val="5B21B6"/></a:folHlink></a:clrScheme>\
            <a:fontScheme name="AI Studio"><a:majorFont><a:latin typeface="\(font)"/><a:ea typeface=""/><a:cs typeface="\(arabicFont)"/>\
            </a:majorFont><a:minorFont><a:latin typeface="\(font)"/><a:ea typeface=""/><a:cs typeface="\(arabicFont)"/></a:minorFont>\
            </a:fontScheme><a:fmtScheme name="AI Studio"><a:fillStyleLst>\(fill("FFFFFF"))\(fill("F2F2F2"))\(fill("D9D9D9"))</a:fillStyleLst>\
            <a:lnStyleLst>\(line)\(line)\(line)</a:lnStyleLst>\
            <a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle>\
            <a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>\
            <a:bgFillStyleLst>\(fill("FFFFFF"))\(fill("F2F2F2"))\(fill("D9D9D9"))</a:bgFillStyleLst></a:fmtScheme>\
            </a:themeElements></a:theme>
            """
    }
}
