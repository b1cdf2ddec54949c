import Core
import Foundation

/// The verdict on a request's text before any provider sees it.
struct ModerationVerdict: Sendable, Equatable {
    let blocked: Bool
    let category: String?

    static let allowed = ModerationVerdict(blocked: false, category: nil)
}

/// A check in front of every provider call.
protocol Moderator: Sendable {
    func check(_ texts: [String]) async throws -> ModerationVerdict
}

/// The local check: a configurable block list matched after Arabic and English normalisation,
/// so diacritics, tatweel or hamza spellings do not slip past it.
struct LocalModerator: Moderator {
    let terms: [(term: String, category: String)]

    /// A small default list of requests no plan allows; operators extend it with `MODERATION_BLOCKLIST`.
    static let defaultTerms: [(String, String)] = [
        ("child sexual", "sexual/minors"), ("csam", "sexual/minors"), ("اباحيه اطفال", "sexual/minors"),
        ("how to make a bomb", "illicit/violent"), ("طريقه صنع قنبله", "illicit/violent"),
    ]

    init(extraTerms: [String] = []) {
        terms = (Self.defaultTerms + extraTerms.map { ($0, "custom") }).map {
            (ArabicNormalizer.normalize($0.0).trimmingCharacters(in: .whitespaces), $0.1)
        }.filter { !$0.0.isEmpty }
    }

    func check(_ texts: [String]) async throws -> ModerationVerdict {
        for text in texts {
            let normalized =
                " " + ArabicNormalizer.normalize(text).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
                + " "
            let haystack = Array(normalized.utf8)
            for (term, category) in terms where Self.contains(haystack, Array(term.utf8)) {
                return ModerationVerdict(blocked: true, category: category)
            }
        }
        return .allowed
    }

    /// Whether `needle` occurs in `haystack`, byte for byte (both already normalised).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
