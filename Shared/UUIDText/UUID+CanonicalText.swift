import Foundation

/// The canonical text of a UUID (RFC 9562 section 4: 8-4-4-4-12 hexadecimal digits), written and read
/// by hand. Every event crosses it several times (CloudEvents `ce_id`, outbox and inbox rows, the
/// PostgreSQL `uuid` type): Foundation's `uuidString` (`snprintf`) and `UUID(uuidString:)` (`sscanf`)
/// took 8.6% of the runtime benchmark's CPU.
extension UUID {
    /// The lowercase canonical text, as `uuidString.lowercased()`.
    public var canonicalText: String {
        let bytes = uuid
        return String(unsafeUninitializedCapacity: 36) { text in
            withUnsafeBytes(of: bytes) { raw in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = Self.hexDigit(raw[index] >> 4)
                    text[position + 1] = Self.hexDigit(raw[index] & 0x0f)
                    position += 2
                }
            }
            return 36
        }
    }

    /// Reads canonical text in either case; nil for anything else. Stricter than Foundation's
    /// `UUID(uuidString:)` on Linux, which reads with `sscanf` and so also takes some texts with
    /// spaces, "0x" or hyphens out of place.
    public init?<Text: Collection>(canonicalText text: Text) where Text.Element == UInt8 {
        guard text.count == 36 else { return nil }
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var index = text.startIndex, byte = 0, position = 0
            while index != text.endIndex {
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index = text.index(after: index)
                    position += 1
                    continue
                }
                guard let high = Self.hexValue(text[index]) else { return false }
                index = text.index(after: index)
                guard let low = Self.hexValue(text[index]) else { return false }
                index = text.index(after: index)
                out[byte] = high << 4 | low
                byte += 1
                position += 2
            }
            return true
        }
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    /// Reads canonical text in either case; nil for anything else.
    public init?(canonicalText text: String) {
        self.init(canonicalText: text.utf8)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
