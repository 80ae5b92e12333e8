@testable import LoadReplay
import Testing

/// `ressus carga reproduzir --ondas N --taxa R`: which file is imported in which wave and when.
@Suite struct ReplayScheduleTests {
    @Test func asFastAsPossibleIsOneWaveWithNoPauses() throws {
        let plan = try ReplaySchedule(sizes: [100, 200, 300])
        #expect(plan.waves == 1)
        #expect(plan.entries.map(\.file) == [0, 1, 2])
        #expect(plan.entries.allSatisfy { $0.wave == 0 && $0.offset == 0 })
    }

    @Test func wavesSplitTheFilesInOrderAsEvenlyAsPossible() throws {
        let plan = try ReplaySchedule(sizes: [1, 1, 1, 1, 1, 1, 1], waves: 3)
        // 7 files in 3 waves: 3, 2, 2 (the first waves take the remainder), manifest order kept.
        #expect(plan.entries.map(\.wave) == [0, 0, 0, 1, 1, 2, 2])
        #expect(plan.entries.map(\.file) == Array(0..<7))
    }

    @Test func aRateDelaysEachFileByTheAtendimentosBeforeItInItsWave() throws {
        // 1,000 atendimentos/s: within a wave, file k starts after (atendimentos before k) / 1,000 s.
        let plan = try ReplaySchedule(sizes: [500, 1_500, 2_000, 1_000], waves: 2, rate: 1_000)
        #expect(plan.entries.map(\.offset) == [0, 0.5, 0, 2.0])
        #expect(plan.entries.map(\.wave) == [0, 0, 1, 1])
    }

    @Test func impossiblePlansAreRefusedWithTheReasonInPortuguese() {
        #expect(throws: ReplayScheduleError.moreWavesThanFiles(waves: 5, files: 4)) {
            try ReplaySchedule(sizes: [1, 2, 3, 4], waves: 5)
        }
        #expect(throws: ReplayScheduleError.invalidWaves(0)) { try ReplaySchedule(sizes: [1], waves: 0) }
        #expect(throws: ReplayScheduleError.invalidRate(0)) { try ReplaySchedule(sizes: [1], rate: 0) }
        #expect(throws: ReplayScheduleError.noFiles) { try ReplaySchedule(sizes: []) }
        #expect(ReplayScheduleError.moreWavesThanFiles(waves: 5, files: 4).description.contains("carga gerar --abis"))
    }
}
