import Models
import PropertyBased
import Testing

@Suite("Business calendar")
struct CalendarTests {
    let calendar = BusinessCalendar()

    @Test("Easter Sunday", arguments: [
        (2000, "2000-04-23"), (2008, "2008-03-23"), (2019, "2019-04-21"), (2024, "2024-03-31"),
        (2025, "2025-04-20"), (2026, "2026-04-05"), (2038, "2038-04-25"),
    ])
    func easter(year: Int, expected: String) {
        #expect(Easter.sunday(year: year) == date(expected))
    }

    @Test("closed days", arguments: [
        ("2025-01-01", "feriado nacional"), ("2025-04-18", "Sexta-feira Santa"), ("2025-04-21", "Tiradentes"),
        ("2025-05-01", "Trabalho"), ("2025-09-07", "domingo"), ("2025-10-13", nil),
        ("2025-11-20", "Consciência Negra"), ("2024-11-20", "Consciência Negra"), ("2023-11-20", nil),
        ("2025-03-03", "segunda-feira de Carnaval"), ("2025-03-04", "terça-feira de Carnaval"),
        ("2025-03-05", nil), ("2025-06-19", "Corpus Christi"), ("2026-02-16", "Carnaval"),
        ("2026-02-17", "Carnaval"), ("2026-04-03", "Sexta-feira Santa"), ("2026-06-04", "Corpus Christi"),
        ("2025-12-25", "Natal"), ("2025-11-15", "sábado"), ("2025-11-14", nil), ("2026-11-02", "Finados"),
    ] as [(String, String?)])
    func closedDays(day: String, reason: String?) {
        let closure = calendar.closure(on: date(day))
        if let reason {
            #expect(closure?.descricao.contains(reason) == true, "\(day): \(String(describing: closure))")
        } else {
            #expect(closure == nil, "\(day) should be a business day: \(String(describing: closure))")
        }
    }

    @Test func configuredClosedDays() {
        let closed = ClosedDay(date: date("2025-12-24"), reason: "ponto facultativo (Portaria)")
        let custom = BusinessCalendar(extraClosedDays: [closed])
        #expect(calendar.isBusinessDay(date("2025-12-24")))
        #expect(!custom.isBusinessDay(date("2025-12-24")))
        #expect(custom.closure(on: date("2025-12-24")) == .configured("ponto facultativo (Portaria)"))
        #expect(custom.nextBusinessDay(onOrAfter: date("2025-12-24")) == date("2025-12-26"))
    }

    @Test func policyCanReopenCarnaval() {
        var policy = RulesPolicy.standard
        policy.carnavalClosed = false
        #expect(BusinessCalendar(policy: policy).isBusinessDay(date("2025-03-03")))
    }

    @Test("last business day of a month", arguments: [
        ("2025-05", "2025-05-30"), ("2026-01", "2026-01-30"), ("2024-12", "2024-12-31"),
        ("2025-11", "2025-11-28"), ("2026-04", "2026-04-30"), ("2025-08", "2025-08-29"), ("2026-02", "2026-02-27"),
    ])
    func lastBusinessDay(of m: String, expected: String) {
        #expect(calendar.lastBusinessDay(of: month(m)) == date(expected))
    }

    @Test func nextBusinessDay() {
        #expect(calendar.nextBusinessDay(onOrAfter: date("2025-04-18")) == date("2025-04-22"))
        #expect(calendar.nextBusinessDay(onOrAfter: date("2025-04-22")) == date("2025-04-22"))
        #expect(calendar.nextBusinessDay(onOrAfter: date("2026-02-14")) == date("2026-02-18"))
    }
}

@Suite("Deadlines")
struct DeadlineTests {
    let calendar = BusinessCalendar()

    enum Kind: Sendable { case impugnacao, recurso, pagamentoFromWindowEnd, pagamentoFromCiencia, cadin, dividaAtiva }

    // Derived by hand from DOMAIN §3 (exclude the start day, include the last, roll to business days).
    @Test("deadlines derived by hand", arguments: [
        (Kind.impugnacao, "2025-03-10", "2025-04-09"),  // Monday + 30 = Wednesday
        (.impugnacao, "2025-03-22", "2025-04-23"),  // Saturday: count from Monday 03-24
        (.impugnacao, "2025-03-21", "2025-04-22"),  // ends Sunday 04-20 (Easter) → Tiradentes 04-21 → Tuesday
        (.impugnacao, "2026-02-14", "2026-03-20"),  // Saturday before Carnaval: count from Ash Wednesday 02-18
        (.impugnacao, "2024-10-21", "2024-11-21"),  // ends 2024-11-20, a holiday from 2024
        (.impugnacao, "2023-10-20", "2023-11-20"),  // ends Sunday 11-19 → Monday 11-20, not yet a holiday
        (.impugnacao, "2025-01-31", "2025-03-05"),  // ends Sunday 03-02 → Carnaval 03-03/04 → Wednesday
        (.recurso, "2025-04-08", "2025-04-22"),  // ends Good Friday 04-18 → weekend → Tiradentes → 04-22
        (.recurso, "2025-06-09", "2025-06-20"),  // ends Corpus Christi 06-19 → Friday
        (.recurso, "2025-12-15", "2025-12-26"),  // ends Christmas → Friday 12-26
        (.pagamentoFromWindowEnd, "2025-04-09", "2025-04-24"),
        (.pagamentoFromWindowEnd, "2026-03-20", "2026-04-06"),  // ends Saturday 04-04 → Monday
        (.pagamentoFromCiencia, "2026-02-14", "2026-04-06"),
        (.cadin, "2025-01-06", "2025-03-24"),  // ends Saturday 03-22 → Monday
        (.dividaAtiva, "2025-01-31", "2025-05-02"),  // ends 05-01 Labour Day → Friday
    ])
    func deadline(kind: Kind, start: String, expected: String) {
        let s = date(start)
        let deadline: Deadline = switch kind {
        case .impugnacao: calendar.impugnacaoDeadline(ciencia: s)
        case .recurso: calendar.recursoDeadline(decisionCiencia: s)
        case .pagamentoFromWindowEnd: calendar.paymentDueDate(impugnacaoWindowEnd: s)
        case .pagamentoFromCiencia: calendar.paymentDueDate(ciencia: s)
        case .cadin: calendar.cadinDate(chargeNotification: s)
        case .dividaAtiva: calendar.dividaAtivaReferralDate(dueDate: s)
        }
        #expect(deadline.date == date(expected))
        #expect(deadline.explanation.contains(date(expected).brazilian))
    }

    @Test func explanationNamesTheNonBusinessDays() {
        let d = calendar.impugnacaoDeadline(ciencia: date("2025-03-21"))
        #expect(d.explanation.contains("20/04/2025: domingo"))
        #expect(d.explanation.contains("21/04/2025: feriado nacional (Tiradentes)"))
    }

    @Test func chargesAfterAFinalDecision() {
        // Decision ciência Monday 2025-06-02 + 15 = Tuesday 06-17.
        #expect(calendar.paymentDueDate(decisionCiencia: date("2025-06-02")).date == date("2025-06-17"))
        #expect(calendar.accrualDueDate(originalDueDate: date("2025-04-24"), gruDueDate: date("2025-06-17"))
            == date("2025-04-24"))
        var policy = RulesPolicy.standard
        policy.accrueFromOriginalDueDate = false
        #expect(BusinessCalendar(policy: policy).accrualDueDate(
            originalDueDate: date("2025-04-24"), gruDueDate: date("2025-06-17")) == date("2025-06-17"))
    }

    @Test func ciencia() {
        let available = date("2025-03-01")
        #expect(calendar.ciencia(availableOn: available).date == date("2025-03-11"))
        #expect(calendar.ciencia(availableOn: available, acknowledgedOn: date("2025-03-05")).date == date("2025-03-05"))
        #expect(calendar.ciencia(availableOn: available, acknowledgedOn: date("2025-03-20")).date == date("2025-03-11"))
        #expect(calendar.ciencia(availableOn: available, acknowledgedOn: date("2025-02-20")).date == available)
        #expect(calendar.ciencia(availableOn: available).explanation.contains("tácita"))
    }

    @Test("every deadline falls on a business day, on or after the plain count")
    func deadlinesOnBusinessDays() async {
        let days = Gen.int(in: date("2000-01-01").dayNumber...date("2040-12-31").dayNumber).map(CivilDate.init(dayNumber:))
        await propertyCheck(count: 1000, input: days, Gen.int(in: 0...4).map { [10, 15, 30, 75, 90][$0] }) { start, length in
            let deadline = calendar.count(days: length, from: start, describing: "prazo")
            #expect(calendar.isBusinessDay(deadline.date))
            #expect(start.days(until: deadline.date) >= length)
            // Never later than needed: each day between the plain count and the deadline is closed.
            let plain = calendar.nextBusinessDay(onOrAfter: start).adding(days: length)
            var day = plain
            while day < deadline.date {
                #expect(!calendar.isBusinessDay(day))
                day = day.adding(days: 1)
            }
        }
    }
}
