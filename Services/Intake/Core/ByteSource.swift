import Foundation

/// A file read in fixed-size chunks, byte by byte, so a file of any size is parsed with bounded
/// memory (one chunk at a time).
final class ByteSource {
    private let handle: FileHandle
    private var chunk: [UInt8] = []
    private var position = 0
    private var finished = false
    static let chunkSize = 1 << 20

    init(url: URL) throws {
        handle = try FileHandle(forReadingFrom: url)
        try refill()
        // A UTF-8 byte order mark (spreadsheets write one) is not part of the data.
        if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        // Spreadsheets' "Unicode text" is UTF-16: every other byte would be NUL.
        if chunk.starts(with: [0xFF, 0xFE]) || chunk.starts(with: [0xFE, 0xFF]) {
            throw IntakeFileError("o arquivo está em UTF-16; salve-o como UTF-8 (\"CSV UTF-8\") e importe de novo")
        }
    }

    deinit { try? handle.close() }

    /// The next byte without consuming it; nil at the end of the file.
    func peek() throws -> UInt8? {
        if position >= chunk.count {
            try refill()
            if position >= chunk.count { return nil }
        }
        return chunk[position]
    }

    /// The next byte; nil at the end of the file.
    func next() throws -> UInt8? {
        guard let byte = try peek() else { return nil }
        position += 1
        return byte
    }

    /// The bytes still buffered from the current position (to sniff the format or the delimiter).
    var buffered: ArraySlice<UInt8> { chunk[position...] }

    private func refill() throws {
        guard !finished else { return }
        let data = try handle.read(upToCount: Self.chunkSize) ?? Data()
        if data.isEmpty { finished = true }
        chunk = Array(data)
        position = 0
    }
}
