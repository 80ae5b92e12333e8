/// The FNS transfer recorder (DOMAIN §8): settled payments per collection month, repasses, the
/// demonstrativo de repasse and the Dados Gerais do Ressarcimento ao SUS.
public enum FNSTransferCore {}
