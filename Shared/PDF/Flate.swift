import CZlib

/// zlib (RFC 1950) streams for /FlateDecode content, made by the system's zlib.
enum Flate {
    /// zlib's compression level for content streams. Level 1 (fastest) already shrinks the
    /// repetitive drawing operators several times over; higher levels cost far more time for a
    /// few per cent less size.
    static let level: Int32 = 1

    /// `input` compressed as one zlib stream.
    static func zlib(_ input: [UInt8], level: Int32 = level) -> [UInt8] {
        var capacity = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                compress2(target.baseAddress, &capacity, source.baseAddress, uLong(source.count), level)
            }
        }
        // compressBound is enough for any input and the buffers are valid, so only a broken zlib fails.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.removeLast(output.count - Int(capacity))
        return output
    }
}
