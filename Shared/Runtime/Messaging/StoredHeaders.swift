import Foundation
import Kafka
import Models

/// The outbox's stored CloudEvents headers — a JSON array of one-entry objects with string values
/// (`[{"ce_id":"..."},{"ce_type":"..."}]` as `OutboxWriter` writes them; rows stored before runtime
/// migration 15 have jsonb's spacing, `[{"ce_id": "..."}, ...]`) — read back into Kafka headers, in
/// order.
///
/// The relay reads every row's headers on its serial path, where `JSONSerialization` took most of
/// its CPU (15% of the runtime benchmark's samples). The common form (strings without escapes, any
/// JSON whitespace) is read with ``JSONByteReader``; anything else goes to Foundation, whose answer stands (so escapes and malformed text
/// behave exactly as before).
enum StoredHeaders {
    /// The headers in `json`, or nil if it is not such an array.
    static func parse(_ json: String) -> [KafkaHeader]? {
        var json = json
        if let headers = json.withUTF8({ parseCommonForm(UnsafeRawBufferPointer($0)) }) { return headers }
        return parseWithFoundation(json)
    }

    /// The headers when `json` is in the common form; nil when it is not (escapes, other shapes,
    /// invalid UTF-8), for Foundation to decide.
    static func parseCommonForm(_ json: UnsafeRawBufferPointer) -> [KafkaHeader]? {
        var reader = JSONByteReader(json)
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(10)
        do {
            try reader.beginArray()
            while try reader.nextElement() {
                try reader.beginObject()
                guard let name = try reader.nextKey()?.text else { return nil }
                let value = try reader.string()
                guard try reader.nextKey() == nil else { return nil }  // one entry per object
                headers.append(KafkaHeader(name: name, string: value))
            }
            try reader.expectEnd()
            return headers
        } catch {
            return nil
        }
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

}
