import Crypto
import Foundation

/// E-mail addresses as the studio accepts them: trimmed, lower-cased, one `@`, a dotted domain.
enum EmailAddress {
    static func normalized(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard email.utf8.count <= 254, !email.contains(where: { $0.isWhitespace || $0.isNewline }) else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), !parts[1].isEmpty else { return nil }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
            domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }),
            parts[0].allSatisfy({ !"()<>[]\\,;:\"".contains($0) })
        else { return nil }
        return email
    }

    /// A stable, non-reversible key for rate limits, so Redis never holds addresses.
    static func digest(_ email: String) -> String {
        SHA256.hash(data: Data(email.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
