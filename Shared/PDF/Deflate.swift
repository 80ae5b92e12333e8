/// A small zlib (RFC 1950) / DEFLATE (RFC 1951) compressor for content streams (/FlateDecode):
/// LZ77 matching over a 32 KiB window with hash chains, coded as one block with the fixed Huffman
/// codes (no dynamic Huffman tables, so output is somewhat larger than zlib's).
enum Deflate {
    static func zlib(_ input: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.bytes = [0x78, 0x9C]  // 32 KiB window, default level; (0x789C % 31 == 0)
        bits.write(1, count: 1)  // BFINAL
        bits.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        compress(input, into: &bits)
        writeLiteralOrLength(256, into: &bits)  // end of block
        bits.flush()
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in input {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        let adler = (b << 16) | a
        bits.bytes += [UInt8(adler >> 24), UInt8((adler >> 16) & 0xFF), UInt8((adler >> 8) & 0xFF), UInt8(adler & 0xFF)]
        return bits.bytes
    }

    private static let windowSize = 32_768
    private static let maxMatch = 258
    private static let maxChain = 64
    private static let hashBits = 15

    private static func compress(_ input: [UInt8], into bits: inout BitWriter) {
        let count = input.count
        var head = [Int](repeating: -1, count: 1 << hashBits)
        var previous = [Int](repeating: -1, count: count)
        func hash(_ position: Int) -> Int {
            let value = Int(input[position]) << 10 ^ Int(input[position + 1]) << 5 ^ Int(input[position + 2])
            return value & ((1 << hashBits) - 1)
        }
        func insert(_ position: Int) {
            guard position + 2 < count else { return }
            let key = hash(position)
            previous[position] = head[key]
            head[key] = position
        }

        var position = 0
        while position < count {
            var bestLength = 0, bestDistance = 0
            if position + 2 < count {
                var candidate = head[hash(position)]
                var chain = 0
                let limit = min(maxMatch, count - position)
                while candidate >= 0 && position - candidate <= windowSize && chain < maxChain {
                    var length = 0
                    while length < limit && input[candidate + length] == input[position + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = position - candidate
                        if length == limit { break }
                    }
                    candidate = previous[candidate]
                    chain += 1
                }
            }
            if bestLength >= 3 {
                writeMatch(length: bestLength, distance: bestDistance, into: &bits)
                for offset in 0..<bestLength { insert(position + offset) }
                position += bestLength
            } else {
                writeLiteralOrLength(Int(input[position]), into: &bits)
                insert(position)
                position += 1
            }
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                       2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static func writeMatch(length: Int, distance: Int, into bits: inout BitWriter) {
        let lengthCode = lengthBase.lastIndex { $0 <= length }!
        writeLiteralOrLength(257 + lengthCode, into: &bits)
        bits.write(UInt32(length - lengthBase[lengthCode]), count: lengthExtra[lengthCode])
        let distanceCode = distanceBase.lastIndex { $0 <= distance }!
        bits.writeHuffman(UInt32(distanceCode), count: 5)
        bits.write(UInt32(distance - distanceBase[distanceCode]), count: distanceExtra[distanceCode])
    }

    /// The fixed literal/length code (RFC 1951 §3.2.6).
    private static func writeLiteralOrLength(_ symbol: Int, into bits: inout BitWriter) {
        switch symbol {
        case 0...143: bits.writeHuffman(UInt32(0x30 + symbol), count: 8)
        case 144...255: bits.writeHuffman(UInt32(0x190 + symbol - 144), count: 9)
        case 256...279: bits.writeHuffman(UInt32(symbol - 256), count: 7)
        default: bits.writeHuffman(UInt32(0xC0 + symbol - 280), count: 8)
        }
    }
}

/// Packs bits least-significant first, as DEFLATE requires.
private struct BitWriter {
    var bytes: [UInt8] = []
    private var buffer: UInt32 = 0
    private var used = 0

    /// Writes the low `count` bits of `value`, least significant first (extra bits, headers).
    mutating func write(_ value: UInt32, count: Int) {
        guard count > 0 else { return }
        buffer |= (value & ((1 << UInt32(count)) - 1)) << UInt32(used)
        used += count
        while used >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            used -= 8
        }
    }

    /// Writes a Huffman code, most significant bit first.
    mutating func writeHuffman(_ code: UInt32, count: Int) {
        var reversed: UInt32 = 0
        for bit in 0..<count { reversed |= ((code >> UInt32(bit)) & 1) << UInt32(count - 1 - bit) }
        write(reversed, count: count)
    }

    mutating func flush() {
        if used > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        used = 0
    }
}
