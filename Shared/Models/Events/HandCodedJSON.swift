import Foundation

/// An event payload with a hand-written JSON codec, for the types that carry hundreds of
/// atendimentos per event: profiled, Foundation's `JSONEncoder`/`JSONDecoder` (Codable's keyed
/// containers, one boxed value per field) was the largest CPU cost of every service that handles
/// them (BENCHMARKS.md, "Event codec").
///
/// The contract, checked by `HandCodedJSONTests` for every conforming type:
/// - `writeJSON` writes exactly the bytes `EventJSON.encoder` writes (sorted keys, no spaces,
///   absent optionals omitted), so consumers and the JSON Schemas see no difference;
/// - `init(json:)` accepts the common form (the one `writeJSON` writes, in any key order, with
///   whitespace and unknown keys) and returns what `EventJSON.decoder` returns; anything else
///   (escapes in strings, non-integer numbers, invalid identifiers, duplicate keys) throws, and
///   `EventJSON.decode` then asks Foundation, whose answer (value or error) stands.
public protocol HandCodedJSON {
    /// Appends this value's JSON (as `EventJSON.encoder` would write it).
    func writeJSON(to writer: inout JSONByteWriter)
    /// Reads a value from the reader's current position; throws when the input is not in the
    /// common form (the caller then falls back to Foundation).
    init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported)
}

extension EventJSON {
    /// Whether the hand-written codecs are used: yes unless `RESSUS_EVENT_JSON=foundation` (for
    /// benchmarks that compare both in one run with the same binary, BENCHMARKS.md).
    public static let usesHandCodedJSON = ProcessInfo.processInfo.environment["RESSUS_EVENT_JSON"] != "foundation"

    /// The JSON of `value`: by its hand-written codec when it has one, else by `encoder`.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        if usesHandCodedJSON, let handCoded = value as? any HandCodedJSON {
            var writer = JSONByteWriter()
            handCoded.writeJSON(to: &writer)
            return Data(writer.bytes)
        }
        return try encoder.encode(value)
    }

    /// `T` from `data`: by its hand-written codec when it has one and the input is in the common
    /// form, else (or for anything that codec does not take) by `decoder`, whose error stands.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if usesHandCodedJSON, let handCoded = type as? any HandCodedJSON.Type,
           let value = data.withUnsafeBytes({ buffer in try? handCoded.decodeDocument(buffer) }) as? T {
            return value
        }
        return try decoder.decode(type, from: data)
    }
}

extension HandCodedJSON {
    /// A whole document: this value, then nothing but whitespace.
    static func decodeDocument(_ buffer: UnsafeRawBufferPointer) throws(JSONByteReader.Unsupported) -> Self {
        var reader = JSONByteReader(buffer)
        let value = try Self(json: &reader)
        try reader.expectEnd()
        return value
    }
}
