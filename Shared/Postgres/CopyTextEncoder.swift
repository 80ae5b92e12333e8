/// Rows in COPY's text format: tab-separated, `\N` for NULL, backslash, tab, newline and carriage
/// return escaped with a backslash (PostgreSQL docs, "COPY", File Formats, Text Format).
/// Writes straight into one growable buffer: COPY throughput is bounded by this loop.
struct CopyTextEncoder {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the buffer; the owner calls it once, when done.
    func deallocate() { base.deallocate() }

    mutating func reset() { count = 0 }

    mutating func appendRow(_ values: [any PostgresEncodable]) {
        for index in values.indices {
            if index > 0 { put(UInt8(ascii: "\t")) }
            append(values[index].postgresValue)
        }
        put(UInt8(ascii: "\n"))
    }

    mutating func append(_ value: PostgresValue) {
        switch value {
        case .null:
            put(UInt8(ascii: "\\"))
            put(UInt8(ascii: "N"))
        case .int16(let number): appendInteger(Int64(number))
        case .int32(let number): appendInteger(Int64(number))
        case .int64(let number): appendInteger(number)
        case .bool(let flag): put(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .date(let date):
            reserve(10)
            putDigits(date.year, width: 4)
            base[count] = UInt8(ascii: "-"); count += 1
            putDigits(date.month, width: 2)
            base[count] = UInt8(ascii: "-"); count += 1
            putDigits(date.day, width: 2)
        case .text(let text), .jsonb(let text):
            appendEscaped(text)
        case .timestamp, .uuid, .bytea, .textArray:
            var literal: [UInt8] = []
            value.appendText(to: &literal) // bytea and arrays may hold backslashes: escape them
            literal.withUnsafeBufferPointer { appendEscaped($0) }
        }
    }

    private mutating func appendInteger(_ number: Int64) {
        reserve(20)
        var magnitude = number.magnitude
        if number < 0 { base[count] = UInt8(ascii: "-"); count += 1 }
        var digits = 1
        var probe = magnitude
        while probe >= 10 { probe /= 10; digits += 1 }
        var position = count + digits - 1
        repeat {
            base[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
            position -= 1
        } while magnitude > 0
        count += digits
    }

    /// Writes `value` zero-padded to `width` digits; the caller reserved the space.
    private mutating func putDigits(_ value: Int, width: Int) {
        var rest = value
        var position = count + width - 1
        while position >= count {
            base[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            position -= 1
        }
        count += width
    }

    private mutating func appendEscaped(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if done == nil {
            Array(text.utf8).withUnsafeBufferPointer { appendEscaped($0) }
        }
    }

    private mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count * 2)
        var out = base + count
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "\\"); out += 2
            case UInt8(ascii: "\t"): out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "t"); out += 2
            case UInt8(ascii: "\n"): out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "n"); out += 2
            case UInt8(ascii: "\r"): out[0] = UInt8(ascii: "\\"); out[1] = UInt8(ascii: "r"); out += 2
            default: out[0] = byte; out += 1
            }
        }
        count = out - base
    }

    private mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(count + extra, capacity * 2)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = grown
    }
}
