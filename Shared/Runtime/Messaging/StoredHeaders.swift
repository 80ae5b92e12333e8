import Foundation
import Kafka

/// The outbox's stored CloudEvents headers — a JSON array of one-entry objects with string values
/// (`[{"ce_id": "..."}, {"ce_type": "..."}]`, as `OutboxWriter` writes them) — read back into
/// Kafka headers, in order.
///
/// The relay reads every row's headers on its serial path, where `JSONSerialization` took about
/// 40% of its CPU. The common form (strings without escapes, any JSON whitespace) is read here by
/// hand; anything else goes to Foundation, whose answer stands (so escapes and malformed text
/// behave exactly as before).
enum StoredHeaders {
    /// The headers in `json`, or nil if it is not such an array.
    static func parse(_ json: String) -> [KafkaHeader]? {
        var json = json
        if let headers = json.withUTF8({ parseCommonForm($0) }) { return headers }
        return parseWithFoundation(json)
    }

    /// The headers when `json` is in the common form; nil when it is not (escapes, other shapes,
    /// invalid UTF-8), for Foundation to decide.
    static func parseCommonForm(_ json: UnsafeBufferPointer<UInt8>) -> [KafkaHeader]? {
        var reader = Reader(bytes: json)
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(10)
        guard reader.take(UInt8(ascii: "[")) else { return nil }
        if !reader.take(UInt8(ascii: "]")) {
            repeat {
                guard reader.take(UInt8(ascii: "{")), let name = reader.string(),
                      reader.take(UInt8(ascii: ":")), let value = reader.string(),
                      reader.take(UInt8(ascii: "}")),
                      let nameText = String(validating: name, as: UTF8.self),
                      String(validating: value, as: UTF8.self) != nil else { return nil }
                headers.append(KafkaHeader(name: nameText, value: Array(value)))
            } while reader.take(UInt8(ascii: ","))
            guard reader.take(UInt8(ascii: "]")) else { return nil }
        }
        reader.skipWhitespace()
        return reader.atEnd ? headers : nil
    }

    /// The general case: any valid JSON text of that shape.
    static func parseWithFoundation(_ json: String) -> [KafkaHeader]? {
        guard let array = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [Any] else { return nil }
        var headers: [KafkaHeader] = []
        for element in array {
            guard let object = element as? [String: Any], object.count == 1,
                  let (name, value) = object.first, let text = value as? String else { return nil }
            headers.append(KafkaHeader(name: name, string: text))
        }
        return headers
    }

    /// A cursor over the JSON bytes.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        var atEnd: Bool { position == bytes.count }

        /// JSON whitespace (RFC 8259 section 2): space, tab, line feed, carriage return.
        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        /// Skips whitespace, then consumes `byte` if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A string literal without escapes or control characters; nil otherwise.
        mutating func string() -> UnsafeBufferPointer<UInt8>.SubSequence? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return bytes[start..<position - 1]
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                position += 1
            }
            return nil
        }
    }
}
