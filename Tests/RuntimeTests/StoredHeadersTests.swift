import Foundation
@testable import Kafka
import LoadGeneration
@testable import Runtime
import Testing

/// The relay's reader of stored headers: the hand-written common form against Foundation.
@Suite struct StoredHeadersTests {
    /// The hand-written path's answer, nil when it leaves the text to Foundation.
    private func commonForm(_ json: String) -> [KafkaHeader]? {
        var json = json
        return json.withUTF8 { StoredHeaders.parseCommonForm(UnsafeRawBufferPointer($0)) }
    }

    @Test func jsonbOutputAndCompactTextAreReadByHand() {
        let expected = [KafkaHeader(name: "ce_id", string: "1"), KafkaHeader(name: "ce_type", string: "x y"),
                        KafkaHeader(name: "ce_source", string: "/ressus/intake/é中")]
        for json in [#"[{"ce_id": "1"}, {"ce_type": "x y"}, {"ce_source": "/ressus/intake/é中"}]"#,
                     #"[{"ce_id":"1"},{"ce_type":"x y"},{"ce_source":"/ressus/intake/é中"}]"#,
                     "\n [ {\t\"ce_id\" :\r\"1\" } ,{\"ce_type\":\"x y\"},{\"ce_source\":\"/ressus/intake/é中\"}] \n"] {
            #expect(commonForm(json) == expected, "\(json)")
            #expect(StoredHeaders.parse(json) == expected)
        }
        #expect(commonForm("[]") == [])
        #expect(commonForm(" [ ] ") == [])
    }

    @Test func escapesGoToFoundationAndGiveItsAnswer() {
        let json = #"[{"ce_id": "a\"b\\c\u00e9\n"}, {"x\/y": "1"}]"#
        #expect(commonForm(json) == nil)
        #expect(StoredHeaders.parse(json) == [KafkaHeader(name: "ce_id", string: "a\"b\\cé\n"),
                                              KafkaHeader(name: "x/y", string: "1")])
    }

    @Test func otherShapesAreMalformed() {
        for json in [#"{"ce_id": "1"}"#, #"[{"a": "1", "b": "2"}]"#, #"[{"a": 1}]"#, "[{}]",
                     #"[{"a": "1"}] x"#, "[", "", #"[{"a": "1"}"#, #"[["a", "1"]]"#, #"[{"a": null}]"#,
                     #"[{"a": "1}]"#] {
            #expect(StoredHeaders.parse(json) == nil, "\(json)")
            #expect(StoredHeaders.parse(json) == StoredHeaders.parseWithFoundation(json), "\(json)")
        }
        // A raw control character or a trailing comma is not valid JSON, but Foundation reads them:
        // its answer stands.
        for lenient in ["[{\"a\": \"1\u{1}\"}]", #"[{"a": "1"},]"#] {
            #expect(commonForm(lenient) == nil)
            #expect(StoredHeaders.parse(lenient) == StoredHeaders.parseWithFoundation(lenient))
        }
    }

    /// Seeded random headers, written as `OutboxWriter` writes them and with jsonb's spacing: the
    /// same answer as Foundation, and the hand-written path taken whenever nothing is escaped.
    @Test func randomHeadersAgreeWithFoundation() {
        var random = SeededGenerator(seed: 20_261_206)
        let alphabet: [String] = ["a", "Z", "0", "_", "-", ":", "/", ".", " ", "é", "中", "😀", "\"", "\\", "\n", "\u{1}", "{", "}", "[", ",", "\u{7f}"]
        var handWritten = 0
        for round in 0..<900 {
            let headers = (0..<random.below(9)).map { _ in
                KafkaHeader(name: Self.text(&random, alphabet, upTo: 12), string: Self.text(&random, alphabet, upTo: 40))
            }
            let json = Self.written(headers, spaced: round % 2 == 1)
            #expect(StoredHeaders.parse(json) == headers, "\(json)")
            #expect(StoredHeaders.parse(json) == StoredHeaders.parseWithFoundation(json), "\(json)")
            let escaped = json.utf8.contains(UInt8(ascii: "\\"))
            #expect((commonForm(json) != nil) == !escaped, "\(json)")
            if !escaped { handWritten += 1 }
        }
        #expect(handWritten > 100)
    }

    /// As `OutboxWriter` writes them, or `spaced` as jsonb prints them (`[{"a": "1"}, {"b": "2"}]`).
    private static func written(_ headers: [KafkaHeader], spaced: Bool) -> String {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (index, header) in headers.enumerated() {
            if index > 0 { json.append(contentsOf: Array((spaced ? ", " : ",").utf8)) }
            json.append(UInt8(ascii: "{"))
            OutboxWriter.appendJSONString(header.name.utf8, to: &json)
            json.append(contentsOf: Array((spaced ? ": " : ":").utf8))
            OutboxWriter.appendJSONString(header.value, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }

    private static func text(_ random: inout SeededGenerator, _ alphabet: [String], upTo length: Int) -> String {
        (0..<random.below(length + 1)).map { _ in alphabet[random.below(alphabet.count)] }.joined()
    }
}
