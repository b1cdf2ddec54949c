import Core
import Foundation
import Testing

struct JSONValueTests {
    /// The same document read by Foundation, as a `JSONValue`, to compare with.
    func foundation(_ text: String) throws -> JSONValue {
        func convert(_ value: Any) -> JSONValue {
            switch value {
            case let members as [String: Any]: return .object(members.mapValues(convert))
            case let items as [Any]: return .array(items.map(convert))
            case let text as String: return .string(text)
            case is NSNull: return .null
            case let flag as Bool where type(of: value) == Bool.self: return .bool(flag)
            case let number as NSNumber:
                // Foundation keeps true and false as NSNumbers of C's `char` type.
                if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
                return .number(number.doubleValue)
            default: return .null
            }
        }
        return convert(try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed))
    }

    @Test(arguments: [
        #"{"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"مرحبًا"},"finish_reason":null}],"usage":null}"#,
        #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}"#,
        #"{"results":[{"flagged":true,"categories":{"violence":true,"hate":false,"illicit":null},"category_scores":{"violence":0.91,"hate":1.2e-05}}]}"#,
        #" [ 1 , -2.5e+3 , 0 , -0 , 0.125 , 1E2 , true , false , null , "" , [] , {} ] "#,
        #"{"a":"\" \\ \/ \b \f \n \r \t","b":"\u0041\u00e9\u0627\u0644\u0639\u0631\u0628\u064a\u0629","c":"\ud83d\ude00 😀"}"#,
        #"{"nested":{"deeper":{"deepest":[[[{"x":[null]}]]]}},"dup":1,"dup":2}"#,
        #""سطر\nثانٍ — \u00a0""#,
        "42",
    ])
    func readsWhatFoundationReads(document: String) throws {
        #expect(try JSONValue.parse(document) == foundation(document))
        #expect(try JSONValue.parse(Array(document.utf8)) == foundation(document))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "[1 2]", "\"open", "\"bad \\x escape\"",
        "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "01", "1.", "-", "+1", ".5", "1e", "tru", "nul", "[1] [2]",
        "\"tab\there\"", "{\"a\":1}x", "NaN",
    ])
    func refusesWhatIsNotJSON(document: String) {
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(document) }
    }

    @Test func readsTheFieldsTheGatewayUses() throws {
        let chunk = try JSONValue.parse(
            #"{"choices":[{"delta":{"content":"عمّان"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}}"#
        )
        #expect(chunk["choices"]?.array?.first?["delta"]?["content"]?.string == "عمّان")
        #expect(chunk["choices"]?.array?.first?["finish_reason"]?.string == "stop")
        #expect(chunk["usage"]?["prompt_tokens"]?.int == 9)
        #expect(chunk["usage"]?["completion_tokens"]?.int == 3)
        #expect(chunk["missing"] == nil && chunk["usage"]?["prompt_tokens"]?.string == nil)
        #expect(try JSONValue.parse("2.5").int == nil && JSONValue.parse("true").bool == true)
    }

    @Test func refusesDocumentsNestedTooDeeply() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSONValue.parse(fine)) != nil)
    }
}
