@testable import LoadReplay
import Models
import Testing

/// Which GRUs the replay expects in CADIN and dívida ativa (DOMAIN §7, counted by the business calendar).
@Suite struct ReplayCollectionTests {
    let collection = ReplayCollection()

    func date(_ text: String) throws -> CivilDate { try CivilDate(parsing: text) }

    @Test func cadinIsTheDayAfterChargePlus75DaysCountedOnBusinessDays() throws {
        // Friday 2026-03-20 + 75 days = Wednesday 2026-06-03 (a business day).
        let friday = ReplayCollection.GRU(number: "1", chargedOn: try date("2026-03-20"), dueDate: try date("2026-04-06"))
        #expect(collection.cadinDate(of: friday) == (try date("2026-06-03")))
        // Saturday 2026-03-21: counted from Monday 03-23; + 75 = Saturday 06-06, moved to Monday 06-08.
        let saturday = ReplayCollection.GRU(number: "2", chargedOn: try date("2026-03-21"), dueDate: try date("2026-04-06"))
        #expect(collection.cadinDate(of: saturday) == (try date("2026-06-08")))
        // Due Monday 2026-04-06 + 90 = Sunday 07-05, moved to Monday 07-06.
        #expect(collection.dividaAtivaDate(of: friday) == (try date("2026-07-06")))
    }

    @Test func onlyGRUsNotPaidInFullCount() throws {
        let grus = [
            ReplayCollection.GRU(number: "1", chargedOn: try date("2026-03-20"), dueDate: try date("2026-04-06")),
            ReplayCollection.GRU(number: "2", chargedOn: try date("2026-03-21"), dueDate: try date("2026-04-06")),
            ReplayCollection.GRU(number: "3", chargedOn: try date("2026-04-13"), dueDate: try date("2026-04-28")),
        ]
        #expect(collection.everyUnpaidInCadin(grus, settled: ["3"]) == (try date("2026-06-09")))
        #expect(collection.everyUnpaidInCadin(grus, settled: ["1", "2", "3"]) == nil)
        #expect(collection.expected(grus, settled: ["3"], on: try date("2026-06-03")) == (0, 0))
        #expect(collection.expected(grus, settled: ["3"], on: try date("2026-06-04")) == (1, 0))
        #expect(collection.expected(grus, settled: ["3"], on: try date("2026-06-09")) == (2, 0))
        #expect(collection.expected(grus, settled: [], on: try date("2026-07-07")) == (3, 2))
    }
}
