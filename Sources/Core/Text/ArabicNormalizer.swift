/// Folds the spellings Arabic writers use interchangeably, so search and block lists match them:
/// hamza forms of alef (أ إ آ ٱ → ا), ى → ي, ة → ه, ؤ → و, ئ → ي, no tatweel, no diacritics;
/// Latin letters are lower-cased and Eastern Arabic digits become Western ones.
public enum ArabicNormalizer {
    public static func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        func append(_ scalar: Unicode.Scalar) {
            UTF8.encode(scalar) { out.append($0) }
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                out.append(UInt8(value >= 0x41 && value <= 0x5A ? value + 32 : value))
                continue
            }
            switch value {
            case 0x0622, 0x0623, 0x0625, 0x0671: append("\u{0627}")
            case 0x0649: append("\u{064A}")
            case 0x0629: append("\u{0647}")
            case 0x0624: append("\u{0648}")
            case 0x0626: append("\u{064A}")
            case 0x0640: continue  // tatweel
            case 0x064B...0x065F, 0x0670, 0x06D6...0x06ED: continue  // harakat, superscript alef, Quranic marks
            case 0x200C...0x200F, 0x202A...0x202E, 0x2066...0x2069: continue  // joiners and bidi controls
            case 0x0660...0x0669: out.append(UInt8(value - 0x0660 + 0x30))
            case 0x06F0...0x06F9: out.append(UInt8(value - 0x06F0 + 0x30))
            default:
                // Other letters lower-cased as `String.lowercased()` does, one scalar at a time.
                if scalar.properties.changesWhenLowercased {
                    for lower in scalar.properties.lowercaseMapping.unicodeScalars { append(lower) }
                } else {
                    append(scalar)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
