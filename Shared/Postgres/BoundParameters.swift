import CLibPQ

/// Query parameters laid out the way `PQexecParams`/`PQexecPrepared` take them: text format for
/// everything except `bytea`, which is sent as raw binary.
struct BoundParameters {
    private(set) var types: [Oid] = []
    private var data: [UInt8] = [0]
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []

    var count: Int { types.count }

    init(_ values: [any PostgresEncodable]) {
        types.reserveCapacity(values.count)
        for encodable in values {
            let value = encodable.postgresValue
            types.append(value.typeOID)
            switch value {
            case .null:
                offsets.append(-1)
                lengths.append(0)
                formats.append(0)
            case .bytea(let bytes):
                offsets.append(data.count)
                data.append(contentsOf: bytes)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            default:
                let start = data.count
                offsets.append(start)
                value.appendText(to: &data)
                lengths.append(Int32(data.count - start))
                data.append(0)
                formats.append(0)
            }
        }
    }

    /// Calls `body` with the C arrays (types, values, lengths, formats), valid only during the call.
    func withPointers<R>(
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        try data.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            let values: [UnsafePointer<CChar>?] = offsets.map {
                $0 < 0 ? nil : (base + $0).assumingMemoryBound(to: CChar.self)
            }
            return try values.withUnsafeBufferPointer { values in
                try types.withUnsafeBufferPointer { types in
                    try lengths.withUnsafeBufferPointer { lengths in
                        try formats.withUnsafeBufferPointer { formats in
                            try body(types.baseAddress, values.baseAddress, lengths.baseAddress, formats.baseAddress)
                        }
                    }
                }
            }
        }
    }
}
