import Foundation

/// Writes the JSON of plain Swift values (`[String: Any]`, arrays, strings, numbers, booleans, nil) without
/// going through Foundation's `JSONSerialization`, which bridges every dictionary to an `NSDictionary` —
/// the costliest step of building a provider request. Keys come out sorted; text other than what JSON
/// must escape is written as it is (Arabic stays UTF-8).
public enum JSONWriter {
    public struct UnsupportedValue: Error, CustomStringConvertible {
        public let description: String
    }

    public static func bytes(_ value: Any) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try append(value, to: &out)
        return out
    }

    static func append(_ value: Any, to out: inout [UInt8]) throws {
        switch value {
        case let text as String:
            appendString(text, to: &out)
        case let flag as Bool:
            out.append(contentsOf: flag ? trueBytes : falseBytes)
        case let number as Int:
            out.append(contentsOf: String(number).utf8)
        case let number as Int64:
            out.append(contentsOf: String(number).utf8)
        case let number as Int32:
            out.append(contentsOf: String(number).utf8)
        case let number as Double:
            guard number.isFinite else { throw UnsupportedValue(description: "\(number) is not a JSON number") }
            if number == number.rounded(), abs(number) < 1e15 {
                out.append(contentsOf: String(Int64(number)).utf8)
            } else {
                out.append(contentsOf: String(number).utf8)
            }
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                try append(object[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let items as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case is NSNull:
            out.append(contentsOf: nullBytes)
        case let optional as any OptionalProtocol:
            if let wrapped = optional.wrapped {
                try append(wrapped, to: &out)
            } else {
                out.append(contentsOf: nullBytes)
            }
        default:
            throw UnsupportedValue(description: "\(type(of: value)) has no JSON form")
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)
}

/// Lets `JSONWriter` see inside an `Optional` held as `Any`.
protocol OptionalProtocol {
    var wrapped: Any? { get }
}

extension Optional: OptionalProtocol {
    var wrapped: Any? {
        switch self {
        case .some(let value): value
        case .none: nil
        }
    }
}
