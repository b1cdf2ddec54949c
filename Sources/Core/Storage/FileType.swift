import Foundation

/// A file type recognised from its first bytes, never from its name.
public enum FileType: String, Sendable, CaseIterable, Codable {
    case png, jpeg, gif, webp, mp4, mov, webm, pdf, docx, pptx, txt

    /// The `files.kind` it is stored under.
    public var kind: String {
        switch self {
        case .png, .jpeg, .gif, .webp: "image"
        case .mp4, .mov, .webm: "video"
        case .pdf, .docx, .pptx, .txt: "doc"
        }
    }

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .gif: "image/gif"
        case .webp: "image/webp"
        case .mp4: "video/mp4"
        case .mov: "video/quicktime"
        case .webm: "video/webm"
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .txt: "text/plain; charset=utf-8"
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    /// Largest accepted upload per kind.
    public static func maxBytes(kind: String) -> Int {
        switch kind {
        case "image": 10 << 20
        case "video": 100 << 20
        default: 20 << 20
        }
    }

    /// Recognises the type from the content; nil for anything the studio does not accept.
    public static func sniff(_ data: Data) -> FileType? {
        let bytes = [UInt8](data.prefix(64))
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<offset + prefix.count]) == prefix
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        if starts(Array("ftyp".utf8), at: 4) {
            return starts(Array("qt  ".utf8), at: 8) ? .mov : .mp4
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) {
            // An OOXML package names its main part in the zip directory.
            if data.range(of: Data("word/document.xml".utf8)) != nil { return .docx }
            if data.range(of: Data("ppt/presentation.xml".utf8)) != nil { return .pptx }
            return nil
        }
        if isPlainText(data) { return .txt }
        return nil
    }

    /// Valid UTF-8 without control characters other than tab and line breaks.
    static func isPlainText(_ data: Data) -> Bool {
        guard !data.isEmpty, let text = String(data: data, encoding: .utf8) else { return false }
        return !text.unicodeScalars.contains { $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) }
    }
}
