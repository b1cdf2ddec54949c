import Foundation

/// Right-to-left text for the documents we write: where Arabic stretches start and end, and which
/// left-to-right stretches must be embedded to keep their order inside a right-to-left line.
public enum BidiText {
    /// Splits text into stretches that are Arabic-script or not; neutral characters (spaces, punctuation)
    /// join the stretch before them. In a right-to-left line (`rightToLeft`), the neutrals between a
    /// left-to-right stretch and the Arabic after it go with the Arabic, as the bidi algorithm resolves them
    /// there: "sara@example.jo | عمّان" keeps its " | " between the two instead of at the end of the address.
    public static func segments(_ text: String, rightToLeft: Bool = false) -> [(String, Bool)] {
        var segments: [(String, Bool)] = []
        var current = ""
        var currentArabic: Bool?
        for character in text {
            let scalar = character.unicodeScalars.first!
            let strong: Bool? =
                isArabic(scalar)
                ? true : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil ? false : nil)
            if let strong, let active = currentArabic, strong != active {
                var carried = ""
                if rightToLeft && strong {
                    while let last = current.last, !isStrong(last) {
                        carried.insert(last, at: carried.startIndex)
                        current.removeLast()
                    }
                }
                segments.append((current, active))
                current = carried
            }
            if let strong { currentArabic = strong }
            current.append(character)
        }
        if !current.isEmpty { segments.append((current, currentArabic ?? false)) }
        return segments
    }

    static func isStrong(_ character: Character) -> Bool {
        let scalar = character.unicodeScalars.first!
        return isArabic(scalar) || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
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
        segments(text, rightToLeft: true).map { segment, arabic in arabic ? segment : embeddedIfNeeded(segment) }
            .joined()
    }
}
