import Foundation

/// Right-to-left text for the documents we write: where Arabic stretches start and end, and which
/// left-to-right stretches must be embedded to keep their order inside a right-to-left line.
public enum BidiText {
    /// Splits text into stretches that are Arabic-script or not; neutral characters (spaces, punctuation)
    /// join the stretch before them.
    public static func segments(_ text: String) -> [(String, Bool)] {
        var segments: [(String, Bool)] = []
        var current = ""
        var currentArabic: Bool?
        for character in text {
            let scalar = character.unicodeScalars.first!
            let strong: Bool? =
                isArabic(scalar)
                ? true : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil ? false : nil)
            if let strong, let active = currentArabic, strong != active {
                segments.append((current, active))
                current = ""
            }
            if let strong { currentArabic = strong }
            current.append(character)
        }
        if !current.isEmpty { segments.append((current, currentArabic ?? false)) }
        return segments
    }

    /// Numbers mixed with Latin letters, or joined by `-` or `/` (dates, ranges, amounts with a currency).
    public static func needsEmbedding(_ text: String) -> Bool {
        text.contains(where: \.isNumber)
            && (text.contains(where: \.isLetter) || text.contains("-") || text.contains("/"))
    }

    public static func isArabic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: true
        default: false
        }
    }

    /// In a right-to-left line, 1997-04-12 is laid out as 12-04-1997 and "5.000 JOD" as "JOD 5.000" unless the
    /// stretch is embedded left-to-right (LRE … PDF); plain numbers and plain Latin words keep their order.
    public static func embeddedIfNeeded(_ segment: String) -> String {
        needsEmbedding(segment) ? "\u{202A}\(segment)\u{202C}" : segment
    }

    /// A whole right-to-left line with every left-to-right stretch that needs it embedded.
    public static func embedded(_ text: String) -> String {
        segments(text).map { segment, arabic in arabic ? segment : embeddedIfNeeded(segment) }.joined()
    }
}
