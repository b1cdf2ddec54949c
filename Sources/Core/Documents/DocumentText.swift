import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads the text out of the documents users upload: PDF page by page with poppler (`pdftotext
/// -layout`), and pages without a text layer (scans) with tesseract in Arabic and English; the text of
/// a DOCX from its WordprocessingML; TXT as it is.
public enum DocumentText {
    public static let maxPages = 50

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The pages of a PDF, and the 1-based numbers of those read by OCR. `work` is a scratch folder.
    public static func pdf(_ file: URL, work: URL, ocrLanguages: String = "ara+eng") async throws -> (
        pages: [String], ocr: [Int]
    ) {
        let info: String
        do {
            info = try await FFmpeg.run([file.path], tool: "pdfinfo", timeout: .seconds(30))
        } catch is FFmpeg.Failure {
            throw Failure("the file is not a readable PDF")
        }
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("Pages:") }),
            let count = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)), count > 0
        else { throw Failure("the file is not a readable PDF") }
        guard count <= maxPages else { throw Failure("the PDF has \(count) pages; at most \(maxPages) are read") }
        var pages: [String] = []
        var ocr: [Int] = []
        for page in 1...count {
            let out = work.appendingPathComponent("page-\(page).txt")
            try await FFmpeg.run(
                ["-layout", "-enc", "UTF-8", "-f", String(page), "-l", String(page), file.path, out.path],
                tool: "pdftotext", timeout: .seconds(60))
            var text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if text.trimmingCharacters(in: .whitespacesAndNewlines).count < 3 {
                text = try await ocrPage(file, page: page, work: work, languages: ocrLanguages)
                ocr.append(page)
            }
            pages.append(tidy(text))
        }
        return (pages, ocr)
    }

    /// Renders one page at 200 dpi and reads it with tesseract.
    static func ocrPage(_ file: URL, page: Int, work: URL, languages: String) async throws -> String {
        let prefix = work.appendingPathComponent("scan-\(page)")
        try await FFmpeg.run(
            ["-r", "200", "-f", String(page), "-l", String(page), "-png", "-singlefile", file.path, prefix.path],
            tool: "pdftoppm", timeout: .seconds(120))
        let image = prefix.appendingPathExtension("png")
        try await FFmpeg.run([image.path, prefix.path, "-l", languages], tool: "tesseract", timeout: .seconds(180))
        return (try? String(contentsOf: prefix.appendingPathExtension("txt"), encoding: .utf8)) ?? ""
    }

    /// The paragraphs of a DOCX (`w:p`, with `w:t` runs, tabs and breaks), as one page.
    public static func docx(_ data: Data) throws -> String {
        guard let xml = try OOXMLPackage.parts(of: data)["word/document.xml"] else {
            throw Failure("the file is not a Word document")
        }
        let reader = WordTextReader()
        let parser = XMLParser(data: xml)
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        guard parser.parse() else { throw Failure("the Word document cannot be read") }
        return tidy(reader.paragraphs.joined(separator: "\n"))
    }

    /// Plain text, as UTF-8 (bytes that are not UTF-8 are replaced).
    public static func plain(_ data: Data) -> String {
        tidy(String(data: data, encoding: .utf8) ?? String(decoding: data, as: UTF8.self))
    }

    /// Trailing spaces off every line, runs of blank lines down to one, no form feeds.
    static func tidy(_ text: String) -> String {
        var lines: [String] = []
        for raw in text.replacingOccurrences(of: "\u{0C}", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            let line = String(raw.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
            if line.isEmpty, lines.last?.isEmpty ?? true { continue }
            lines.append(line)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

/// Collects `w:t` text per `w:p` paragraph.
private final class WordTextReader: NSObject, XMLParserDelegate {
    var paragraphs: [String] = []
    private var current = ""
    private var inText = false

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch name {
        case "w:t": inText = true
        case "w:tab": current += "\t"
        case "w:br", "w:cr": current += "\n"
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "w:t": inText = false
        case "w:p":
            paragraphs.append(current)
            current = ""
        default: break
        }
    }
}
