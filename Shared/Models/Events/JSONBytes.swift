import Foundation

/// Writes JSON as `EventJSON.encoder` does (no whitespace; the caller writes keys in sorted
/// order), straight into a byte buffer. Used by ``HandCodedJSON`` types.
public struct JSONByteWriter {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether the next key or array element needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// `"name":`, after a comma when a field came before. `name` must need no escaping.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A string value. Text with a byte JSON escapes (controls, quote, backslash, slash) is written
    /// by Foundation itself, so its escaping is Foundation's byte for byte.
    public mutating func string(_ text: String) {
        separate()
        var text = text
        let plain = text.withUTF8 { utf8 in
            guard !utf8.contains(where: Self.needsEscape) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if !plain {
            // Encoding a String cannot fail.
            bytes.append(contentsOf: (try? EventJSON.encoder.encode(text)) ?? Data())
        }
        needsComma = true
    }

    /// An integer value.
    public mutating func integer<I: BinaryInteger>(_ value: I) {
        separate()
        var magnitude = UInt64(value.magnitude)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        withUnsafeMutableBytes(of: &scratch) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: digits[start...])
        }
        needsComma = true
    }

    /// A date as `"YYYY-MM-DD"` (``CivilDate/description``).
    public mutating func date(_ date: CivilDate) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        padded(date.year, width: 4); bytes.append(UInt8(ascii: "-"))
        padded(date.month, width: 2); bytes.append(UInt8(ascii: "-"))
        padded(date.day, width: 2)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// A competência as `"YYYY-MM"` (``YearMonth/description``).
    public mutating func yearMonth(_ month: YearMonth) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        padded(month.year, width: 4); bytes.append(UInt8(ascii: "-"))
        padded(month.month, width: 2)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// `value` in decimal with leading zeros up to `width` (as `CivilDate.pad`).
    private mutating func padded(_ value: Int, width: Int) {
        guard value >= 0 else { bytes.append(contentsOf: CivilDate.pad(value, width).utf8); return }
        var divisor = 1, digits = 1
        while divisor <= value / 10 { divisor *= 10; digits += 1 }
        for _ in digits..<max(width, digits) { bytes.append(UInt8(ascii: "0")) }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }
}

/// Reads the common form of JSON for ``HandCodedJSON`` types: objects, arrays, strings without
/// escapes, integers, `null`. Anything else throws ``Unsupported`` so that the caller falls back
/// to Foundation, whose answer (value or error) then stands.
public struct JSONByteReader {
    /// The input is not in the form this reader takes (not necessarily invalid JSON).
    public struct Unsupported: Error {
        public init() {}
    }

    private let buffer: UnsafeRawBufferPointer
    private var position = 0
    /// Whether the next key or element is the first of its object or array (no comma before it).
    private var first = false

    public init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    public mutating func beginObject() throws(Unsupported) { try expect(UInt8(ascii: "{")); first = true }

    /// The next key of the current object, or nil (having read the `}`) when it has no more.
    public mutating func nextKey() throws(Unsupported) -> Key? {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; first = false; return nil }
        if first { first = false } else { try expect(UInt8(ascii: ",")) }
        let key = Key(bytes: try stringBytes())
        try expect(UInt8(ascii: ":"))
        return key
    }

    public mutating func beginArray() throws(Unsupported) { try expect(UInt8(ascii: "[")); first = true }

    /// Whether the current array has another element (having read the `]` when not).
    public mutating func nextElement() throws(Unsupported) -> Bool {
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; first = false; return false }
        if first { first = false } else { try expect(UInt8(ascii: ",")) }
        return true
    }

    /// A string value without escapes, valid UTF-8.
    public mutating func string() throws(Unsupported) -> String {
        guard let text = String(validating: try stringBytes(), as: UTF8.self) else { throw Unsupported() }
        return text
    }

    /// An integer value written as digits (optional minus, no fraction or exponent, no leading zero).
    public mutating func integer() throws(Unsupported) -> Int64 {
        skipWhitespace()
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        var magnitude: UInt64 = 0
        while let byte = peek(), byte &- UInt8(ascii: "0") < 10 {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw Unsupported() }
            magnitude = sum
            position += 1
        }
        let count = position - start
        guard count > 0, !(count > 1 && buffer[start] == UInt8(ascii: "0")) else { throw Unsupported() }
        if let next = peek(), next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            throw Unsupported()
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Unsupported() }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Unsupported() }
        return Int64(magnitude)
    }

    /// An `Int` value (see ``integer()``).
    public mutating func int() throws(Unsupported) -> Int {
        let value = try integer()
        guard let int = Int(exactly: value) else { throw Unsupported() }
        return int
    }

    /// Reads `null` and returns true when it is next; false (reading nothing) otherwise.
    public mutating func null() -> Bool {
        skipWhitespace()
        let literal: [UInt8] = [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")]
        guard position + 4 <= buffer.count, buffer[position..<position + 4].elementsEqual(literal) else { return false }
        position += 4
        return true
    }

    /// Nothing but whitespace is left.
    public mutating func expectEnd() throws(Unsupported) {
        skipWhitespace()
        guard position == buffer.count else { throw Unsupported() }
    }

    /// A key as read (bytes between the quotes, without escapes).
    public struct Key {
        let bytes: UnsafeRawBufferPointer.SubSequence

        /// The key as text; nil if it is not valid UTF-8.
        public var text: String? { String(validating: bytes, as: UTF8.self) }

        public static func == (key: Key, name: StaticString) -> Bool {
            key.bytes.elementsEqual(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    private mutating func stringBytes() throws(Unsupported) -> UnsafeRawBufferPointer.SubSequence {
        try expect(UInt8(ascii: "\""))
        let start = position
        while position < buffer.count {
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return buffer[start..<position - 1]
            }
            guard byte >= 0x20, byte != UInt8(ascii: "\\") else { throw Unsupported() }
            position += 1
        }
        throw Unsupported()
    }

    private mutating func expect(_ byte: UInt8) throws(Unsupported) {
        skipWhitespace()
        guard peek() == byte else { throw Unsupported() }
        position += 1
    }

    private func peek() -> UInt8? { position < buffer.count ? buffer[position] : nil }

    private mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }
}

/// A required field that was absent or appeared twice: not the common form.
extension Optional {
    /// The value, or ``JSONByteReader/Unsupported`` when the field was absent.
    func required() throws(JSONByteReader.Unsupported) -> Wrapped {
        guard let value = self else { throw JSONByteReader.Unsupported() }
        return value
    }

    /// Sets a field read once; a second occurrence is ``JSONByteReader/Unsupported``.
    mutating func setOnce(_ value: Wrapped) throws(JSONByteReader.Unsupported) {
        guard self == nil else { throw JSONByteReader.Unsupported() }
        self = value
    }
}
