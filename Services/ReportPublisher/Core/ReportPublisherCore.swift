/// The report publisher (DOMAIN §9): the operadoras' portal and the Posição Financeira Atualizada
/// PDF, from a read model built only from events.
public enum ReportPublisherCore {}
