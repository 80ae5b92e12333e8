import Foundation

// Hand-written JSON for the events that carry atendimentos (up to 500 per event), the bulk of
// what every service encodes and decodes. Keys are written in sorted order, as
// `EventJSON.encoder` (`.sortedKeys`) writes them; `HandCodedJSONTests` checks the bytes and the
// decoded values against Foundation's for each type.

/// A value read from the JSON that a domain initializer rejects: not the common form (Foundation
/// then decodes the payload and reports the error in its own words).
private func validated<T, E: Error>(_ make: () throws(E) -> T) throws(JSONByteReader.Unsupported) -> T {
    do { return try make() } catch { throw JSONByteReader.Unsupported() }
}

extension JSONByteReader {
    mutating func date() throws(Unsupported) -> CivilDate {
        let text = try string()
        return try validated { () throws(DateError) in try CivilDate(parsing: text) }
    }

    mutating func yearMonth() throws(Unsupported) -> YearMonth {
        let text = try string()
        return try validated { () throws(DateError) in try YearMonth(parsing: text) }
    }

    /// A competência that may be `null` (optional fields are decoded with `decodeIfPresent`).
    mutating func optionalYearMonth() throws(Unsupported) -> YearMonth? {
        null() ? nil : try yearMonth()
    }

    mutating func money() throws(Unsupported) -> Money { Money(centavos: try integer()) }

    mutating func abi() throws(Unsupported) -> ABINumber {
        let value = try int()
        return try validated { () throws(IdentifierError) in try ABINumber(value) }
    }

    mutating func registroANS() throws(Unsupported) -> RegistroANS {
        let text = try string()
        return try validated { () throws(IdentifierError) in try RegistroANS(text) }
    }

    mutating func document() throws(Unsupported) -> SUSDocumentNumber {
        let text = try string()
        return try validated { () throws(IdentifierError) in try SUSDocumentNumber(text) }
    }

    /// An array of hand-coded values.
    mutating func array<T: HandCodedJSON>(of _: T.Type) throws(Unsupported) -> [T] {
        try beginArray()
        var values: [T] = []
        while try nextElement() { values.append(try T(json: &self)) }
        return values
    }
}

/// A field that may be absent or `null`, seen at most once.
private struct OptionalField<T> {
    var value: T?
    var seen = false

    mutating func set(_ read: T?) throws(JSONByteReader.Unsupported) {
        guard !seen else { throw JSONByteReader.Unsupported() }
        seen = true
        value = read
    }
}

extension ChargeableAtendimento: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        if let competencia { writer.key("competencia"); writer.yearMonth(competencia) }
        writer.key("document"); writer.string(document.value)
        writer.key("finalAmount"); writer.integer(finalAmount.centavos)
        writer.key("originalAmount"); writer.integer(originalAmount.centavos)
        writer.key("outcome"); writer.string(outcome.rawValue)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var competencia = OptionalField<YearMonth>()
        var document: SUSDocumentNumber?, outcome: Outcome?, originalAmount: Money?, finalAmount: Money?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "document" { try document.setOnce(try reader.document()) }
            else if key == "competencia" { try competencia.set(try reader.optionalYearMonth()) }
            else if key == "finalAmount" { try finalAmount.setOnce(try reader.money()) }
            else if key == "originalAmount" { try originalAmount.setOnce(try reader.money()) }
            else if key == "outcome" { try outcome.setOnce(try Outcome(rawValue: try reader.string()).required()) }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(document: try document.required(), competencia: competencia.value, outcome: try outcome.required(),
                  originalAmount: try originalAmount.required(), finalAmount: try finalAmount.required())
    }
}

extension AtendimentosChargeable: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        writer.key("abi"); writer.integer(abi.value)
        writer.key("atendimentos"); writer.beginArray()
        for atendimento in atendimentos { atendimento.writeJSON(to: &writer) }
        writer.endArray()
        writer.key("chargeableOn"); writer.date(chargeableOn)
        writer.key("originalDueDate"); writer.date(originalDueDate)
        writer.key("paymentDueDate"); writer.date(paymentDueDate)
        writer.key("registroANS"); writer.string(registroANS.value)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var abi: ABINumber?, registroANS: RegistroANS?, atendimentos: [ChargeableAtendimento]?
        var originalDueDate: CivilDate?, paymentDueDate: CivilDate?, chargeableOn: CivilDate?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "atendimentos" { try atendimentos.setOnce(try reader.array(of: ChargeableAtendimento.self)) }
            else if key == "abi" { try abi.setOnce(try reader.abi()) }
            else if key == "registroANS" { try registroANS.setOnce(try reader.registroANS()) }
            else if key == "originalDueDate" { try originalDueDate.setOnce(try reader.date()) }
            else if key == "paymentDueDate" { try paymentDueDate.setOnce(try reader.date()) }
            else if key == "chargeableOn" { try chargeableOn.setOnce(try reader.date()) }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(abi: try abi.required(), registroANS: try registroANS.required(), atendimentos: try atendimentos.required(),
                  originalDueDate: try originalDueDate.required(), paymentDueDate: try paymentDueDate.required(),
                  chargeableOn: try chargeableOn.required())
    }
}

extension AtendimentoRecord: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        writer.key("amountToReimburse"); writer.integer(amountToReimburse.centavos)
        writer.key("beneficiaryCode"); writer.string(beneficiaryCode)
        writer.key("birthDate"); writer.date(birthDate)
        writer.key("careEnd"); writer.date(careEnd)
        writer.key("careStart"); writer.date(careStart)
        writer.key("cnes"); writer.string(cnes.value)
        writer.key("competencia"); writer.yearMonth(competencia)
        writer.key("document"); writer.string(document.value)
        writer.key("kind"); writer.string(kind.rawValue)
        writer.key("procedure"); writer.string(procedure.value)
        writer.key("quantity"); writer.integer(quantity)
        writer.key("susValue"); writer.integer(susValue.centavos)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var kind: Kind?, document: SUSDocumentNumber?, competencia: YearMonth?, beneficiaryCode: String?
        var birthDate: CivilDate?, careStart: CivilDate?, careEnd: CivilDate?, cnes: CNES?, procedure: SIGTAPCode?
        var quantity: Int?, susValue: Money?, amountToReimburse: Money?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "document" { try document.setOnce(try reader.document()) }
            else if key == "competencia" { try competencia.setOnce(try reader.yearMonth()) }
            else if key == "kind" { try kind.setOnce(try Kind(rawValue: try reader.string()).required()) }
            else if key == "beneficiaryCode" { try beneficiaryCode.setOnce(try reader.string()) }
            else if key == "birthDate" { try birthDate.setOnce(try reader.date()) }
            else if key == "careStart" { try careStart.setOnce(try reader.date()) }
            else if key == "careEnd" { try careEnd.setOnce(try reader.date()) }
            else if key == "cnes" {
                let text = try reader.string()
                try cnes.setOnce(try validated { () throws(IdentifierError) in try CNES(text) })
            }
            else if key == "procedure" {
                let text = try reader.string()
                try procedure.setOnce(try validated { () throws(IdentifierError) in try SIGTAPCode(text) })
            }
            else if key == "quantity" { try quantity.setOnce(try reader.int()) }
            else if key == "susValue" { try susValue.setOnce(try reader.money()) }
            else if key == "amountToReimburse" { try amountToReimburse.setOnce(try reader.money()) }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(kind: try kind.required(), document: try document.required(), competencia: try competencia.required(),
                  beneficiaryCode: try beneficiaryCode.required(), birthDate: try birthDate.required(),
                  careStart: try careStart.required(), careEnd: try careEnd.required(), cnes: try cnes.required(),
                  procedure: try procedure.required(), quantity: try quantity.required(), susValue: try susValue.required(),
                  amountToReimburse: try amountToReimburse.required())
    }
}

extension NotificationAtendimentos: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        writer.key("abi"); writer.integer(abi.value)
        writer.key("atendimentos"); writer.beginArray()
        for atendimento in atendimentos { atendimento.writeJSON(to: &writer) }
        writer.endArray()
        writer.key("batch"); writer.integer(batch)
        writer.key("registroANS"); writer.string(registroANS.value)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var abi: ABINumber?, registroANS: RegistroANS?, batch: Int?, atendimentos: [AtendimentoRecord]?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "atendimentos" { try atendimentos.setOnce(try reader.array(of: AtendimentoRecord.self)) }
            else if key == "abi" { try abi.setOnce(try reader.abi()) }
            else if key == "registroANS" { try registroANS.setOnce(try reader.registroANS()) }
            else if key == "batch" { try batch.setOnce(try reader.int()) }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(abi: try abi.required(), registroANS: try registroANS.required(), batch: try batch.required(),
                  atendimentos: try atendimentos.required())
    }
}

extension ChargedAtendimento: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        writer.key("amount"); writer.integer(amount.centavos)
        if let competencia { writer.key("competencia"); writer.yearMonth(competencia) }
        writer.key("document"); writer.string(document.value)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var competencia = OptionalField<YearMonth>()
        var document: SUSDocumentNumber?, amount: Money?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "document" { try document.setOnce(try reader.document()) }
            else if key == "competencia" { try competencia.set(try reader.optionalYearMonth()) }
            else if key == "amount" { try amount.setOnce(try reader.money()) }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(document: try document.required(), competencia: competencia.value, amount: try amount.required())
    }
}

extension ChargeIssued: HandCodedJSON {
    public func writeJSON(to writer: inout JSONByteWriter) {
        writer.beginObject()
        writer.key("abi"); writer.integer(abi.value)
        writer.key("accumulatedSmallCharges"); writer.integer(accumulatedSmallCharges.centavos)
        writer.key("atendimentos"); writer.beginArray()
        for atendimento in atendimentos { atendimento.writeJSON(to: &writer) }
        writer.endArray()
        writer.key("chargeID"); writer.string(chargeID)
        if let gruNumber { writer.key("gruNumber"); writer.string(gruNumber.value) }
        writer.key("issuedOn"); writer.date(issuedOn)
        writer.key("registroANS"); writer.string(registroANS.value)
        writer.key("total"); writer.integer(total.centavos)
        writer.endObject()
    }

    public init(json reader: inout JSONByteReader) throws(JSONByteReader.Unsupported) {
        var gruNumber = OptionalField<GRUNumber>()
        var chargeID: String?, abi: ABINumber?, registroANS: RegistroANS?, atendimentos: [ChargedAtendimento]?
        var total: Money?, accumulatedSmallCharges: Money?, issuedOn: CivilDate?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            if key == "atendimentos" { try atendimentos.setOnce(try reader.array(of: ChargedAtendimento.self)) }
            else if key == "chargeID" { try chargeID.setOnce(try reader.string()) }
            else if key == "abi" { try abi.setOnce(try reader.abi()) }
            else if key == "registroANS" { try registroANS.setOnce(try reader.registroANS()) }
            else if key == "total" { try total.setOnce(try reader.money()) }
            else if key == "accumulatedSmallCharges" { try accumulatedSmallCharges.setOnce(try reader.money()) }
            else if key == "issuedOn" { try issuedOn.setOnce(try reader.date()) }
            else if key == "gruNumber" {
                if reader.null() { try gruNumber.set(nil) } else {
                    let text = try reader.string()
                    try gruNumber.set(try validated { () throws(IdentifierError) in try GRUNumber(text) })
                }
            }
            else { throw JSONByteReader.Unsupported() }
        }
        self.init(chargeID: try chargeID.required(), abi: try abi.required(), registroANS: try registroANS.required(),
                  atendimentos: try atendimentos.required(), total: try total.required(), gruNumber: gruNumber.value,
                  accumulatedSmallCharges: try accumulatedSmallCharges.required(), issuedOn: try issuedOn.required())
    }
}
