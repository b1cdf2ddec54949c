import Foundation

/// The checks every document form applies to what a person typed: trimmed, empty treated as absent, a length
/// limit, and a bilingual error naming the field.
public enum FormText {
    public static func clean(_ text: String?, field: String, max: Int, required: Bool = false) throws -> String? {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            guard !required else {
                throw AppError.validation("\(field) is required.", "الحقل \(field) مطلوب.", field: field)
            }
            return nil
        }
        guard trimmed.count <= max else {
            throw AppError.validation(
                "\(field) is longer than \(max) characters.", "الحقل \(field) أطول من \(max) حرف.", field: field)
        }
        return trimmed
    }

    public static func list<T>(_ items: [T]?, field: String, max: Int) throws -> [T]? {
        guard let items else { return nil }
        guard items.count <= max else {
            throw AppError.validation(
                "\(field) has more than \(max) entries.", "الحقل \(field) فيه أكثر من \(max) عنصرًا.", field: field)
        }
        return items
    }
}
