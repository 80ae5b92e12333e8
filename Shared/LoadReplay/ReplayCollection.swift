import Foundation
import Models

/// The collection steps the replay expects for the GRUs it did not pay in full (DOMAIN §7): CADIN
/// the day after charge notification + 75 days (Lei 10.522/2002 art. 2), dívida ativa the day after
/// due date + 90 days (policy), both counted by the rules library's business calendar.
public struct ReplayCollection: Sendable {
    /// A charge GRU as the debt calculator stores it.
    public struct GRU: Sendable, Equatable {
        public var number: String
        /// When the operadora was notified of the charge (CADIN counts from it).
        public var chargedOn: CivilDate
        public var dueDate: CivilDate

        public init(number: String, chargedOn: CivilDate, dueDate: CivilDate) {
            self.number = number
            self.chargedOn = chargedOn
            self.dueDate = dueDate
        }
    }

    public let calendar: BusinessCalendar

    public init(calendar: BusinessCalendar = BusinessCalendar()) {
        self.calendar = calendar
    }

    /// The last day an unpaid `gru` stays out of CADIN.
    public func cadinDate(of gru: GRU) -> CivilDate { calendar.cadinDate(chargeNotification: gru.chargedOn).date }

    /// The last day an unpaid `gru` stays out of dívida ativa.
    public func dividaAtivaDate(of gru: GRU) -> CivilDate { calendar.dividaAtivaReferralDate(dueDate: gru.dueDate).date }

    /// The first day on which every GRU of `grus` not in `settled` (paid in full or parcelled) is in CADIN;
    /// nil when all are settled.
    public func everyUnpaidInCadin(_ grus: [GRU], settled: Set<String>) -> CivilDate? {
        grus.filter { !settled.contains($0.number) }.map { cadinDate(of: $0).adding(days: 1) }.max()
    }

    /// How many of `grus` not in `settled` are in CADIN and referred to dívida ativa on `today`.
    public func expected(_ grus: [GRU], settled: Set<String>, on today: CivilDate) -> (cadin: Int, dividaAtiva: Int) {
        let unpaid = grus.filter { !settled.contains($0.number) }
        return (unpaid.filter { cadinDate(of: $0) < today }.count, unpaid.filter { dividaAtivaDate(of: $0) < today }.count)
    }
}
