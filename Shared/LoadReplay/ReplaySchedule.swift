/// When each ABI file of a replay is imported: in `waves` consecutive groups of files, and, with a
/// target `rate`, paced so that the atendimentos imported so far within a wave never run ahead of
/// `rate` per second (a file starts once the files before it in its wave are "due").
///
/// Files are the pacing unit: one `ressus abi importar` per file, each as fast as the intake takes
/// it. For a finer rate, generate more, smaller ABIs (`ressus carga gerar --abis N`).
public struct ReplaySchedule: Sendable, Equatable {
    /// One planned import.
    public struct Entry: Sendable, Equatable {
        /// Index of the file in the load's manifest.
        public var file: Int
        /// 0-based wave.
        public var wave: Int
        /// Seconds after its wave starts before this file's import may begin.
        public var offset: Double
    }

    /// The plan, in import order.
    public let entries: [Entry]
    /// Number of waves.
    public let waves: Int

    /// Plans `sizes` (atendimentos per file, in manifest order) in `waves` waves at `rate`
    /// atendimentos/s (nil: as fast as possible).
    public init(sizes: [Int], waves: Int = 1, rate: Int? = nil) throws(ReplayScheduleError) {
        guard !sizes.isEmpty else { throw .noFiles }
        guard waves >= 1 else { throw .invalidWaves(waves) }
        guard waves <= sizes.count else { throw .moreWavesThanFiles(waves: waves, files: sizes.count) }
        if let rate, rate < 1 { throw .invalidRate(rate) }
        var entries: [Entry] = []
        var start = 0
        for wave in 0..<waves {
            // Files split as evenly as possible; the first `count % waves` waves take one more.
            let count = sizes.count / waves + (wave < sizes.count % waves ? 1 : 0)
            var before = 0
            for file in start..<(start + count) {
                entries.append(Entry(file: file, wave: wave, offset: rate.map { Double(before) / Double($0) } ?? 0))
                before += sizes[file]
            }
            start += count
        }
        self.entries = entries
        self.waves = waves
    }
}

/// A replay plan that cannot be made, with the reason in Portuguese for the operator.
public enum ReplayScheduleError: Error, Equatable, CustomStringConvertible {
    case noFiles
    case invalidWaves(Int)
    case moreWavesThanFiles(waves: Int, files: Int)
    case invalidRate(Int)

    public var description: String {
        switch self {
        case .noFiles: "a carga não tem arquivos de ABI"
        case .invalidWaves(let waves): "--ondas deve ser pelo menos 1 (recebido \(waves))"
        case .moreWavesThanFiles(let waves, let files):
            "--ondas \(waves) é maior que o número de ABIs da carga (\(files)); gere mais ABIs com `ressus carga gerar --abis N`"
        case .invalidRate(let rate): "--taxa deve ser pelo menos 1 atendimento/s (recebido \(rate))"
        }
    }
}
