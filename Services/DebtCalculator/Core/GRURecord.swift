import Foundation
import Models
import Postgres
import Runtime

/// One GRU as stored in the debt schema.
struct GRURecord: Sendable, Hashable {
    var number: GRUNumber
    var registroANS: RegistroANS
    var purpose: GRUPurpose
    var chargeIDs: [String]
    var abis: [ABINumber]
    var principal: Money
    var multa: Money
    var juros: Money
    var amount: Money
    var issuedOn: CivilDate
    var dueDate: CivilDate
    var accrualDate: CivilDate
    var chargedOn: CivilDate
    var state: GRUState
    var openPrincipal: Money
    var paidTotal: Money = .zero
    var credit: Money = .zero
    var inCadin = false
    var courtProcess: String?
    var replaces: GRUNumber?
    var replacedBy: GRUNumber?
    var parcelamentoID: String?
    var parcelledPrincipal: Money = .zero
    var installment: Int?
    var linhaDigitavel: String

    /// Open for collection: acréscimos accrue and it can be paid (DOMAIN §7).
    var isOpen: Bool { state == .emitida || state == .suspensaJudicialmente || state == .inscritaEmDividaAtiva }

    /// The event announcing it.
    var issuedEvent: GRUIssued {
        GRUIssued(gruNumber: number, registroANS: registroANS, purpose: purpose, chargeIDs: chargeIDs, abis: abis,
                  principal: principal, multa: multa, juros: juros, amount: amount, issuedOn: issuedOn,
                  dueDate: dueDate, accrualDate: accrualDate, replaces: replaces, parcelamentoID: parcelamentoID,
                  installment: installment, linhaDigitavel: linhaDigitavel)
    }

    static let columns = """
        gru_number, registro_ans, purpose, charge_ids, abis, principal, multa, juros, amount, issued_on, due_date,
        accrual_date, charged_on, state, open_principal, paid_total, credit, in_cadin, court_process, replaces,
        replaced_by, parcelamento_id, installment, linha_digitavel, parcelled_principal
        """

    init(number: GRUNumber, registroANS: RegistroANS, purpose: GRUPurpose, chargeIDs: [String], abis: [ABINumber],
         principal: Money, multa: Money, juros: Money, issuedOn: CivilDate, dueDate: CivilDate,
         accrualDate: CivilDate, chargedOn: CivilDate, linhaDigitavel: String) {
        self.number = number
        self.registroANS = registroANS
        self.purpose = purpose
        self.chargeIDs = chargeIDs
        self.abis = abis
        self.principal = principal
        self.multa = multa
        self.juros = juros
        self.amount = principal + multa + juros
        self.issuedOn = issuedOn
        self.dueDate = dueDate
        self.accrualDate = accrualDate
        self.chargedOn = chargedOn
        self.state = .emitida
        self.openPrincipal = principal
        self.linhaDigitavel = linhaDigitavel
    }

    init(row: PostgresRow) throws {
        number = try GRUNumber(try row.decode(String.self, at: 0))
        registroANS = try RegistroANS(try row.decode(String.self, at: 1))
        purpose = GRUPurpose(rawValue: try row.decode(String.self, at: 2)) ?? .charge
        chargeIDs = try row.decode([String].self, at: 3)
        abis = try row.decode([String].self, at: 4).map { try ABINumber(parsing: $0) }
        principal = try row.money(at: 5)
        multa = try row.money(at: 6)
        juros = try row.money(at: 7)
        amount = try row.money(at: 8)
        issuedOn = try row.civilDate(at: 9)
        dueDate = try row.civilDate(at: 10)
        accrualDate = try row.civilDate(at: 11)
        chargedOn = try row.civilDate(at: 12)
        state = GRUState(rawValue: try row.decode(String.self, at: 13)) ?? .emitida
        openPrincipal = try row.money(at: 14)
        paidTotal = try row.money(at: 15)
        credit = try row.money(at: 16)
        inCadin = try row.decode(Bool.self, at: 17)
        courtProcess = try row.decode(String?.self, at: 18)
        replaces = try row.decode(String?.self, at: 19).map { try GRUNumber($0) }
        replacedBy = try row.decode(String?.self, at: 20).map { try GRUNumber($0) }
        parcelamentoID = try row.decode(String?.self, at: 21)
        installment = try row.decode(Int?.self, at: 22)
        linhaDigitavel = try row.decode(String.self, at: 23)
        parcelledPrincipal = try row.money(at: 24)
    }

    /// The GRU `number`, locked for update; nil when unknown.
    static func lock(_ number: String, on connection: PostgresConnection) throws -> GRURecord? {
        try connection.query(lockStatement, [number]).first.map(GRURecord.init(row:))
    }

    /// Every GRU of an operadora, in number order.
    static func all(of registro: RegistroANS, on connection: PostgresConnection) throws -> [GRURecord] {
        try connection.query(byOperadora, [registro.value]).map(GRURecord.init(row:))
    }

    func insert(on connection: PostgresConnection) throws {
        _ = try connection.execute(Self.insertStatement, [
            number.value, registroANS.value, purpose.rawValue, chargeIDs, abis.map { String($0.value) },
            principal.centavos, multa.centavos, juros.centavos, amount.centavos, issuedOn.postgres, dueDate.postgres,
            accrualDate.postgres, chargedOn.postgres, state.rawValue, openPrincipal.centavos, paidTotal.centavos,
            credit.centavos, inCadin, courtProcess, replaces?.value, replacedBy?.value, parcelamentoID, installment,
            linhaDigitavel, parcelledPrincipal.centavos])
    }

    /// Writes the mutable fields back.
    func save(on connection: PostgresConnection) throws {
        _ = try connection.execute(Self.updateStatement, [
            number.value, state.rawValue, openPrincipal.centavos, paidTotal.centavos, credit.centavos, inCadin,
            courtProcess, replacedBy?.value, parcelamentoID, parcelledPrincipal.centavos])
    }

    static let lockStatement = PostgresStatement("SELECT \(columns) FROM grus WHERE gru_number = $1 FOR UPDATE")
    static let byOperadora = PostgresStatement("SELECT \(columns) FROM grus WHERE registro_ans = $1 ORDER BY gru_number")
    static let insertStatement = PostgresStatement("""
        INSERT INTO grus (\(columns))
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                $23, $24, $25)
        """)
    static let updateStatement = PostgresStatement("""
        UPDATE grus SET state = $2, open_principal = $3, paid_total = $4, credit = $5, in_cadin = $6,
            court_process = $7, replaced_by = $8, parcelamento_id = $9, parcelled_principal = $10
        WHERE gru_number = $1
        """)
}

extension DebtLedger {
    /// Saves `gru` (already changed) and emits `GRUStateChanged` from `previous` with its amounts.
    func record(_ gru: GRURecord, from previous: GRUState, on date: CivilDate, reason: String,
                context: HandlerContext) throws {
        try gru.save(on: context.connection)
        try emit(stateChanged(gru, from: previous, on: date, reason: reason), context: context)
    }

    /// The `GRUStateChanged` of `gru` (already changed) from `previous`, with its amounts.
    func stateChanged(_ gru: GRURecord, from previous: GRUState, on date: CivilDate, reason: String) -> GRUStateChanged {
        GRUStateChanged(
            gruNumber: gru.number, registroANS: gru.registroANS, previousState: previous, state: gru.state,
            effectiveOn: date, principal: gru.principal, openPrincipal: gru.openPrincipal, paidTotal: gru.paidTotal,
            credit: gru.credit, accrualDate: gru.accrualDate, reason: reason, courtProcess: gru.courtProcess,
            parcelamentoID: gru.parcelamentoID, replacedBy: gru.replacedBy)
    }

    /// Inserts a new GRU, emits `preceding` then `GRUIssued` (one outbox statement) and schedules its collection steps (CADIN at charge
    /// notification + 75 days, dívida ativa at due date + 90 days; not for installment GRUs, whose
    /// misses are counted by the parcelamento).
    func issue(_ gru: GRURecord, after preceding: [any DomainEvent] = [], context: HandlerContext) throws {
        try gru.insert(on: context.connection)
        try emit(all: preceding + [gru.issuedEvent], context: context)
        guard gru.purpose != .installment else { return }
        try scheduleCollection(of: gru, on: context.connection)
    }

    func scheduleCollection(of gru: GRURecord, on connection: PostgresConnection) throws {
        try ScheduledWork.schedule(collectionSteps(of: gru), on: connection)
    }

    /// The collection steps of a newly issued (non-installment) GRU, in scheduling order.
    func collectionSteps(of gru: GRURecord) -> [ScheduledWork.Item] {
        // Lei 10.522/2002 art. 2: CADIN 75 days after the charge notification.
        let cadin = calendar.cadinDate(chargeNotification: gru.chargedOn).date
        // Policy (DOMAIN §7): referral to dívida ativa 90 days after the due date.
        let referral = calendar.dividaAtivaReferralDate(dueDate: gru.dueDate).date
        return [ScheduledWork.Item(kind: DebtWork.cadin, key: gru.number.value, dueAt: cadin.adding(days: 1).startInstant),
                ScheduledWork.Item(kind: DebtWork.dividaAtiva, key: gru.number.value,
                                   dueAt: referral.adding(days: 1).startInstant)]
    }
}
