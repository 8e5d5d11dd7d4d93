import PACIO
import Foundation
import PACBenchmarks
import Testing

/// `JSONLine`: insertion-ordered keys, correct escaping, `null` for missing and non-finite numbers.
struct JSONLineTests {
    @Test func keysKeepInsertionOrder() {
        var line = JSONLine()
        line.add("zeta", 1)
        line.add("alpha", "a")
        line.add("mid", 2.5)
        #expect(line.text == #"{"zeta":1,"alpha":"a","mid":2.5}"#)
    }

    @Test func emptyObject() {
        #expect(JSONLine().text == "{}")
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var line = JSONLine()
        line.add("q\"k", "say \"hi\"")
        line.add("path", #"C:\dir"#)
        line.add("ws", "a\nb\tc\rd")
        line.add("ctl", "\u{01}\u{1F}")
        line.add("uni", "± é ✓")
        let expected = #"{"q\"k":"say \"hi\"","path":"C:\\dir","ws":"a\nb\tc\rd","ctl":"\u0001\u001f","uni":"± é ✓"}"#
        #expect(line.text == expected)
    }

    @Test func escapedTextRoundTripsThroughJSONSerialization() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t cr\r bell\u{07} nul\u{00} del\u{7F} ± \u{2028}"
        var line = JSONLine()
        line.add(nasty, nasty)
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any])
        #expect(object[nasty] as? String == nasty)
    }

    @Test func numbersAndNulls() throws {
        var line = JSONLine()
        line.add("int", -42)
        line.add("double", 0.1)
        line.add("tiny", 1e-300)
        line.add("huge", 1.5e300)
        line.add("none", nil as Double?)
        line.add("nan", Double.nan)
        line.add("inf", -Double.infinity)
        #expect(line.text.hasPrefix(#"{"int":-42,"double":0.1,"#))
        #expect(line.text.hasSuffix(#","none":null,"nan":null,"inf":null}"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.text.utf8)) as? [String: Any])
        #expect((object["tiny"] as? NSNumber)?.doubleValue == 1e-300)
        #expect((object["huge"] as? NSNumber)?.doubleValue == 1.5e300)
        #expect(object["nan"] is NSNull)
    }
}
