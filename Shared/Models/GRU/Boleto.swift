/// The payable representation of a GRU: a FEBRABAN "ficha de compensação" boleto (44-digit barcode and
/// 47-digit linha digitável).
///
/// Barcode: bank (3) · currency (1) · general check digit (1) · due-date factor (4) · amount in centavos
/// (10) · free field (25). Free field, Banco do Brasil layout for a 7-digit convênio: `000000` · GRU number
/// (17 = convênio prefix + 10-digit sequence) · carteira (2).
public struct Boleto: Hashable, Sendable {
    /// The 44 digits encoded in the bars.
    public let barcode: String

    /// Builds the boleto of GRU `gru` for `amount` due `dueDate` (nil: no due date, factor 0000).
    public init(gru: GRUNumber, amount: Money, dueDate: CivilDate?,
                policy: RulesPolicy = .standard) throws(BoletoError) {
        guard (0...9_999_999_999).contains(amount.centavos) else { throw .amountOutOfRange(amount) }
        let factor = try dueDate.map { (date) throws(BoletoError) in try Boleto.dueDateFactor(for: date) } ?? 0
        let freeField = "000000" + gru.value + policy.boletoCarteira
        guard freeField.count == 25, policy.boletoBankCode.count == 3, policy.boletoCurrencyCode.count == 1 else {
            throw .badConfiguration
        }
        let tail = CivilDate.pad(factor, 4) + CivilDate.pad(Int(amount.centavos), 10) + freeField
        let head = policy.boletoBankCode + policy.boletoCurrencyCode
        let dv = Boleto.generalCheckDigit(head + tail)
        barcode = head + String(dv) + tail
    }

    /// Validates a 44-digit barcode (its general check digit).
    public init(barcode text: String) throws(BoletoError) {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count == 44, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .malformed(text) }
        let chars = Array(digits)
        let expected = Boleto.generalCheckDigit(String(chars[0..<4]) + String(chars[5...]))
        guard String(chars[4]) == String(expected) else { throw .wrongCheckDigit(field: 4) }
        barcode = digits
    }

    /// Validates a linha digitável (47 digits, punctuation and spaces allowed): the módulo 10 digit of
    /// fields 1 to 3 and the general check digit.
    public init(linhaDigitavel text: String) throws(BoletoError) {
        let digits = Array(text.filter { $0 != "." && !$0.isWhitespace })
        guard digits.count == 47, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .malformed(text) }
        let fields = [(0, 9), (10, 20), (21, 31)]
        for (number, (start, dvIndex)) in fields.enumerated() {
            let body = String(digits[start..<dvIndex])
            guard String(Boleto.modulo10(body)) == String(digits[dvIndex]) else {
                throw .wrongCheckDigit(field: number + 1)
            }
        }
        let barcode = String(digits[0..<4]) + String(digits[32]) + String(digits[33..<47])
            + String(digits[4..<9]) + String(digits[10..<20]) + String(digits[21..<31])
        try self.init(barcode: barcode)
    }

    /// The 47-digit linha digitável: three fields with módulo 10 digits, the general digit, factor + amount.
    public var linhaDigitavel: String {
        let c = Array(barcode)
        let field1 = String(c[0..<4]) + String(c[19..<24])
        let field2 = String(c[24..<34])
        let field3 = String(c[34..<44])
        return field1 + String(Boleto.modulo10(field1)) + field2 + String(Boleto.modulo10(field2))
            + field3 + String(Boleto.modulo10(field3)) + String(c[4]) + String(c[5..<19])
    }

    /// `AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D FFFFVVVVVVVVVV`.
    public var formattedLinhaDigitavel: String {
        let c = Array(linhaDigitavel)
        func s(_ r: Range<Int>) -> String { String(c[r]) }
        return "\(s(0..<5)).\(s(5..<10)) \(s(10..<15)).\(s(15..<21)) \(s(21..<26)).\(s(26..<32)) \(s(32..<33)) \(s(33..<47))"
    }

    /// The amount encoded in the barcode.
    public var amount: Money { Money(centavos: Int64(barcode.dropFirst(9).prefix(10))!) }
    /// The due-date factor encoded in the barcode (0 = no due date).
    public var dueDateFactor: Int { Int(barcode.dropFirst(5).prefix(4))! }
    /// The 25-digit free field.
    public var freeField: String { String(barcode.suffix(25)) }

    /// Base of the original factor cycle (factor 0), FEBRABAN.
    static let firstCycleBase = CivilDate(uncheckedYear: 1997, month: 10, day: 7)
    /// Factor 1000 of the second cycle: after 9999 on 2025-02-21 the factor restarts at 1000 (FEBRABAN).
    static let secondCycleStart = CivilDate(uncheckedYear: 2025, month: 2, day: 22)

    /// The due-date factor of `date`: days since 1997-10-07 (1000 on 2000-07-03 up to 9999 on 2025-02-21),
    /// then 1000 again from 2025-02-22 (FEBRABAN reset).
    public static func dueDateFactor(for date: CivilDate) throws(BoletoError) -> Int {
        let factor = date >= secondCycleStart
            ? 1000 + secondCycleStart.days(until: date)
            : firstCycleBase.days(until: date)
        guard (1000...9999).contains(factor) else { throw .dueDateOutOfRange(date) }
        return factor
    }

    /// Módulo 10 check digit (weights 2,1,2,1… from the right; digits of products summed).
    public static func modulo10(_ digits: String) -> Int {
        var sum = 0
        for (position, char) in digits.reversed().enumerated() {
            let product = char.wholeNumberValue! * (position % 2 == 0 ? 2 : 1)
            sum += product / 10 + product % 10
        }
        return (10 - sum % 10) % 10
    }

    /// General check digit of the 43 barcode digits without it: módulo 11, weights 2 to 9 from the
    /// right; 0, 10 or 11 become 1.
    public static func generalCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (position, char) in digits.reversed().enumerated() {
            sum += char.wholeNumberValue! * (2 + position % 8)
        }
        let dv = 11 - sum % 11
        return dv == 0 || dv == 10 || dv == 11 ? 1 : dv
    }
}

/// Why a boleto cannot be built or is invalid.
public enum BoletoError: DomainError, Equatable {
    case amountOutOfRange(Money)
    case dueDateOutOfRange(CivilDate)
    case malformed(String)
    case wrongCheckDigit(field: Int)
    case badConfiguration

    public var description: String {
        switch self {
        case .amountOutOfRange(let m): "amount \(m.decimalString) does not fit the boleto's 10 digits"
        case .dueDateOutOfRange(let d): "due date \(d) has no due-date factor (1000-9999)"
        case .malformed(let t): "'\(t)' is not a barcode (44 digits) or linha digitável (47 digits)"
        case .wrongCheckDigit(let f): f == 4 ? "wrong general check digit" : "wrong check digit in field \(f)"
        case .badConfiguration: "boleto configuration (bank, currency, carteira, prefix) has the wrong size"
        }
    }

    public var descricao: String {
        switch self {
        case .amountOutOfRange(let m): "o valor \(m.formatted) não cabe nos 10 dígitos do boleto"
        case .dueDateOutOfRange(let d): "o vencimento \(d.brazilian) não tem fator de vencimento válido"
        case .malformed(let t): "'\(t)' não é um código de barras (44 dígitos) nem linha digitável (47 dígitos)"
        case .wrongCheckDigit(let f):
            f == 4 ? "dígito verificador geral incorreto" : "dígito verificador do campo \(f) incorreto"
        case .badConfiguration: "configuração do boleto (banco, moeda, carteira, prefixo) com tamanho incorreto"
        }
    }
}
