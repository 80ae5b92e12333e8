// rules-benchmark: recomputes acréscimos moratórios (DOMAIN §5) for 1,000,000 open debts as of one date.
// Release build: swift build -c release --product rules-benchmark && .build/release/rules-benchmark [count]
import Dispatch
import Foundation
import Models

/// SplitMix64: deterministic input generation (fixed seed), so every run computes the same checksum.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
}

struct Debt: Sendable {
    let principal: Money
    let dueDate: CivilDate
}

/// The debts and the one recomputation the benchmark times.
struct Workload: Sendable {
    let debts: [Debt]
    let asOf: CivilDate
    let calculator = LateChargeCalculator()

    /// Sum of the totals of debts[range] (the checksum keeps the work from being optimised away).
    func recompute(_ range: Range<Int>) -> (total: Int64, provisional: Int) {
        var total: Int64 = 0
        var provisional = 0
        for i in range {
            let amounts = calculator.amounts(principal: debts[i].principal, dueDate: debts[i].dueDate, asOf: asOf)
            total &+= amounts.total.centavos
            if amounts.missingSelicMonthCount > 0 { provisional += 1 }
        }
        return (total, provisional)
    }

    /// The full path with memo (allocates the SELIC month list).
    func recomputeWithMemo(_ range: Range<Int>) -> Int64 {
        var total: Int64 = 0
        for i in range {
            if let r = try? calculator.calculate(principal: debts[i].principal, dueDate: debts[i].dueDate, asOf: asOf) {
                total &+= r.total.centavos
            }
        }
        return total
    }
}

/// Per-core partial sums written from `concurrentPerform`.
final class Partials: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int64] = []
    func add(_ value: Int64) { lock.lock(); values.append(value); lock.unlock() }
    var sum: Int64 { lock.lock(); defer { lock.unlock() }; return values.reduce(0, &+) }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func main() throws {
    let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
    let asOf = try CivilDate(parsing: "2026-07-31")
    let firstDue = try CivilDate(parsing: "2000-01-01").dayNumber
    let lastDue = try CivilDate(parsing: "2026-07-30").dayNumber
    var rng = SplitMix64(state: 0x5EED_2026)
    let debts: [Debt] = (0..<count).map { _ in
        Debt(principal: Money(centavos: rng.next(in: 1_000...50_000_000)),  // R$10 to R$500,000
             dueDate: CivilDate(dayNumber: Int(rng.next(in: Int64(firstDue)...Int64(lastDue)))))
    }
    let work = Workload(debts: debts, asOf: asOf)

    // Warm-up, then the single-core run.
    _ = work.recompute(0..<min(count, 10_000))
    let clock = ContinuousClock()
    var single = (total: Int64(0), provisional: 0)
    let singleTime = clock.measure { single = work.recompute(0..<count) }

    // All cores: one contiguous slice per core.
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let partials = Partials()
    let parallelTime = clock.measure {
        DispatchQueue.concurrentPerform(iterations: cores) { c in
            partials.add(work.recompute((count * c / cores)..<(count * (c + 1) / cores)).total)
        }
    }

    // The full path with memo, on a tenth of the debts, for comparison.
    let memoCount = count / 10
    var memoTotal: Int64 = 0
    let memoTime = clock.measure { memoTotal = work.recomputeWithMemo(0..<memoCount) }

    let singleRate = Double(count) / seconds(singleTime)
    let parallelRate = Double(count) / seconds(parallelTime)
    print("rules-benchmark: acréscimos of \(count) open debts as of \(asOf), SELIC table \(SelicTable.seedVersion)")
    print(String(format: "1 core:    %.3f s  %12.0f debts/s (per core)", seconds(singleTime), singleRate))
    print(String(format: "%d cores:   %.3f s  %12.0f debts/s (%.0f per core)", cores, seconds(parallelTime),
                 parallelRate, parallelRate / Double(cores)))
    print(String(format: "with memo: %.3f s  %12.0f debts/s (1 core, first %d debts, LateChargeCalculator.calculate)",
                 seconds(memoTime), Double(memoCount) / seconds(memoTime), memoCount))
    print("checksum (sum of totals, centavos): \(single.total)  parallel: \(partials.sum)  memo subset: \(memoTotal)")
    print("provisional (missing SELIC months): \(single.provisional)")
    if single.total != partials.sum {
        print("ERROR: single-core and parallel checksums differ")
        exit(1)
    }
}

try main()
