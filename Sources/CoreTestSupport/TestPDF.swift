import Foundation

/// Small PDFs written by hand for tests: pages with a text layer (Helvetica, Latin text) and pages that
/// are only a picture (a JPEG, as a scanner makes them).
public enum TestPDF {
    public enum Page {
        case text([String])
        /// A JPEG of `width` × `height` pixels shown at 200 dpi.
        case scan(jpeg: Data, width: Int, height: Int)
    }

    public static func make(_ pages: [Page]) -> Data {
        var objects: [Data] = []
        // 1: catalog, 2: pages, 3: font; then per page: page, contents (and image).
        var kids: [Int] = []
        var next = 4
        var pageObjects: [(Int, Data)] = []
        for page in pages {
            let pageID = next
            let contentsID = next + 1
            kids.append(pageID)
            switch page {
            case .text(let lines):
                var stream = "BT /F1 14 Tf 72 760 Td 18 TL\n"
                for line in lines {
                    let escaped = line.replacingOccurrences(of: "\\", with: "\\\\")
                        .replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
                    stream += "(\(escaped)) Tj T*\n"
                }
                stream += "ET"
                pageObjects.append(
                    (
                        pageID,
                        Data(
                            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents \(contentsID) 0 R >>"
                                .utf8)
                    ))
                pageObjects.append((contentsID, streamObject(Data(stream.utf8), dictionary: "")))
                next += 2
            case .scan(let jpeg, let width, let height):
                let imageID = next + 2
                let w = Double(width) * 72 / 200
                let h = Double(height) * 72 / 200
                pageObjects.append(
                    (
                        pageID,
                        Data(
                            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(w) \(h)] /Resources << /XObject << /Im0 \(imageID) 0 R >> >> /Contents \(contentsID) 0 R >>"
                                .utf8)
                    ))
                pageObjects.append(
                    (contentsID, streamObject(Data("q \(w) 0 0 \(h) 0 0 cm /Im0 Do Q".utf8), dictionary: "")))
                pageObjects.append(
                    (
                        imageID,
                        streamObject(
                            jpeg,
                            dictionary:
                                "/Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"
                        )
                    ))
                next += 3
            }
        }
        objects.append(Data("<< /Type /Catalog /Pages 2 0 R >>".utf8))
        objects.append(
            Data(
                "<< /Type /Pages /Kids [\(kids.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(kids.count) >>"
                    .utf8))
        objects.append(Data("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))
        for (_, object) in pageObjects.sorted(by: { $0.0 < $1.0 }) { objects.append(object) }

        var out = Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Data("\(index + 1) 0 obj\n".utf8) + object + Data("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Data("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets { out += Data(String(format: "%010d 00000 n \n", offset).utf8) }
        out += Data("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    static func streamObject(_ data: Data, dictionary: String) -> Data {
        Data("<< \(dictionary) /Length \(data.count) >>\nstream\n".utf8) + data + Data("\nendstream".utf8)
    }
}
