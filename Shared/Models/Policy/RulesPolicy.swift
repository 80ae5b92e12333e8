/// Every number the rules depend on, in one place, each with its source (law or project policy,
/// see DOMAIN.md). `RulesPolicy.standard` holds the values in force; services may override a
/// configurable one (e.g. the GRU issuer prefix) by copying and changing it.
public struct RulesPolicy: Sendable, Hashable {
    // MARK: Deadlines (DOMAIN §3, §4, §7)

    /// Tacit electronic ciência: `D + 10` calendar days after the notification is made available
    /// (RN 377/2015).
    public var tacitCienciaDays = 10
    /// Impugnação window after ciência (Lei 9.656/1998 art. 32; RN 358/2014).
    public var impugnacaoDays = 30
    /// Recurso window after ciência of the first-instance decision (policy from RN 358/2014 art. 28).
    public var recursoDays = 10
    /// Payment deadline after the end of the impugnação window (Lei 9.656/1998 art. 32 §3).
    public var paymentDays = 15
    /// Unpaid charge → CADIN registration, days after the charge notification (Lei 10.522/2002 art. 2).
    public var cadinDays = 75
    /// Policy: an unpaid GRU is referred for inscription in dívida ativa this many days after its due date.
    public var dividaAtivaDays = 90
    /// Policy: late charges accrue from the original due date (window end + 15) even when a GRU is charged
    /// after a final decision (ANS's position that the debt is owed from the start).
    public var accrueFromOriginalDueDate = true

    // MARK: Calendar (DOMAIN §3)

    /// Dia Nacional de Zumbi e da Consciência Negra (11-20) is a national holiday from this year on
    /// (Lei 14.759/2023).
    public var blackConsciousnessDayFirstYear = 2024
    /// Policy: Carnaval Monday and Tuesday are ANS closed days.
    public var carnavalClosed = true
    /// Policy: Corpus Christi (Easter + 60) is an ANS closed day.
    public var corpusChristiClosed = true

    // MARK: Valuation (DOMAIN §2)

    /// IVR (Índice de Valoração do Ressarcimento) = 1.5, i.e. 150% of the SUS value (RN 504/2022).
    public var ivr = Percent(whole: 150)
    /// First competência valued by IVR × SUS value; earlier ones carry their legacy (TUNEP) value.
    public var ivrFirstCompetencia = YearMonth(uncheckedYear: 2008, month: 1)

    // MARK: Small debts (DOMAIN §4)

    /// No GRU is issued while an operadora's accumulated charge is at most this amount (RN 533/2022).
    public var smallDebtThreshold = Money(reais: 100)

    // MARK: Acréscimos moratórios (DOMAIN §5)

    /// Last due date under the old regime: 10% multa, 1% juros a month (Lei 9.656/1998 art. 32 §4,
    /// before MP 449/2008 of 2008-12-04, converted into Lei 11.941/2009).
    public var lastLegacyMultaDueDate = CivilDate(uncheckedYear: 2008, month: 12, day: 3)
    /// Old-regime multa: 10% of the principal (Lei 9.656/1998 art. 32 §4, II).
    public var legacyMultaRate = Percent(whole: 10)
    /// Multa per calendar day late, 0.33% (Lei 9.430/1996 art. 61 §1, applied to ANS credits by
    /// Lei 10.522/2002 art. 37-A).
    public var dailyMultaRate = Percent(basisPoints: 33)
    /// Multa cap, 20% (Lei 9.430/1996 art. 61 §2).
    public var multaCap = Percent(whole: 20)
    /// Old-regime juros: 1% for each month or fraction (Lei 9.656/1998 art. 32 §4, I).
    public var legacyMonthlyJurosRate = Percent(whole: 1)
    /// First month of SELIC juros (Lei 9.430/1996 art. 61 §3 via Lei 10.522/2002 art. 37-A);
    /// old-regime monthly juros run through the month before.
    public var firstSelicMonth = YearMonth(uncheckedYear: 2009, month: 1)
    /// Juros for the month of payment under the SELIC regime, 1% (Lei 9.430/1996 art. 61 §3,
    /// art. 5 §3).
    public var paymentMonthJurosRate = Percent(whole: 1)

    // MARK: Parcelamento (DOMAIN §6)

    /// Most installments in a plan (RN 492/2022; Lei 10.522/2002 art. 10).
    public var maxInstallments = 60
    /// Smallest installment (RN 492/2022).
    public var minimumInstallment = Money(reais: 1_000)
    /// Policy: this many missed installments (consecutive or not) rescind the plan.
    public var missedInstallmentsForRescission = 3
    /// Policy: first payment of a re-parcelamento, as a share of the debt.
    public var reparcelamentoFirstPayment = Percent(whole: 10)
    /// Policy: first payment when the debt was already re-parcelled.
    public var repeatedReparcelamentoFirstPayment = Percent(whole: 20)

    // MARK: GRU and boleto (DOMAIN §1, FEBRABAN ficha de compensação)

    /// Configurable 7-digit issuer prefix of GRU numbers (the convênio). Placeholder default:
    /// set the convênio the bank assigned before issuing real GRUs.
    public var gruIssuerPrefix = "0000001"
    /// Bank code in the boleto: Banco do Brasil, which collects GRUs.
    public var boletoBankCode = "001"
    /// Currency code in the boleto: 9 = real (FEBRABAN layout).
    public var boletoCurrencyCode = "9"
    /// Carteira (portfolio) code closing the free field (Banco do Brasil layout, 7-digit convênio).
    public var boletoCarteira = "18"

    public init() {}

    /// The values in force.
    public static let standard = RulesPolicy()
}
