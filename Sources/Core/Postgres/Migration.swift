/// One numbered step of the schema. Each statement runs with the extended protocol, so a
/// migration is a list of single statements; all of them run in one transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Every migration the code knows, in order.
    public static let all: [Migration] = [
        .m0001ProductTables,
        .m0002SignIn,
        .m0003Conversations,
        .m0004Payments,
        .m0005Analytics,
        .m0006Operations,
        .m0007FileTexts,
        .m0008ImageEdit,
        .m0009UserChanges,
    ]
}
