import Foundation
import Models

/// libFuzzer targets for the file parsers (built by `scripts/fuzz.sh`, never by `swift build`).
/// The target is chosen with `RESSUS_FUZZ_TARGET`:
/// - `abi-csv`, `abi-json`: an ABI file through ``TabularFile`` and ``AtendimentoValidator`` (the
///   operadora and ABI files share the reader);
/// - `pagamentos`: a bank-return file through ``PaymentFile``.
/// Besides "no crash, no hang", each target checks invariants the importers rely on; a broken one
/// stops the run with `fatalError`, which libFuzzer records as a crash.
enum FuzzTarget: String {
    case abiCSV = "abi-csv", abiJSON = "abi-json", pagamentos

    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["RESSUS_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("RESSUS_FUZZ_TARGET must be abi-csv, abi-json or pagamentos (got '\(name)')")
        }
        return target
    }()

    /// The readers take a file: one per process, rewritten for every input.
    static let scratch: URL = {
        let directory = URL(fileURLWithPath: ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
        let ext = current == .abiJSON ? "json" : "csv"
        return directory.appendingPathComponent("ressus-fuzz-\(getpid()).\(ext)")
    }()

    func run(_ data: Data) {
        switch self {
        case .abiCSV, .abiJSON: Self.abiFile(data)
        case .pagamentos: Self.paymentFile(data)
        }
    }

    static func abiFile(_ data: Data) {
        do { try data.write(to: scratch) } catch { fatalError("cannot write \(scratch.path): \(error)") }
        let validator = AtendimentoValidator(knownOperadoras: ["123456", "234567"])
        guard let table = try? TabularFile(url: scratch) else { return }
        var last = 0
        do {
            while let row = try table.next() {
                // Row numbers are what the operator is told: they only go forward.
                guard row.number > last else { fatalError("row number \(row.number) after \(last)") }
                last = row.number
                if row.problem != nil { continue }
                if table.format == .csv, row.fields.count > table.columns.count {
                    fatalError("row \(row.number) has more fields than the header")
                }
                if case .success(let valid) = validator.validate(row.fields, row: row.number) {
                    guard valid.record.susValue > .zero, valid.record.quantity > 0,
                          valid.record.careStart <= valid.record.careEnd else {
                        fatalError("row \(row.number) accepted with an impossible atendimento")
                    }
                }
            }
        } catch is IntakeFileError {
            // A whole-file problem, reported to the operator: fine.
        } catch {
            fatalError("unexpected error type \(type(of: error)): \(error)")
        }
    }

    static func paymentFile(_ data: Data) {
        guard let text = try? PaymentFile.decode(data), let parsed = try? PaymentFile.parse(text) else { return }
        var rows = Set<Int>()
        for (row, payment) in parsed.payments {
            guard payment.amount > .zero, rows.insert(row).inserted else { fatalError("bad payment at row \(row)") }
            guard !payment.paymentID.isEmpty, !payment.origin.isEmpty else { fatalError("empty id or origin at row \(row)") }
        }
        for error in parsed.errors where !rows.insert(error.row).inserted {
            fatalError("row \(error.row) both read and refused")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    FuzzTarget.current.run(data)
    return 0
}
