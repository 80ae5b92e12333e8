/// The debt calculator service (DOMAIN §4-7): charges and GRUs from chargeable atendimentos,
/// payments, reissues, parcelamentos, suspensões judiciais, CADIN and dívida ativa.
public enum DebtCalculatorCore {}
