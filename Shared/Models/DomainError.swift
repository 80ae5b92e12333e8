/// An error from the domain rules. `description` is English (logs, developers);
/// `descricao` is the Brazilian Portuguese message shown to operators.
public protocol DomainError: Error, CustomStringConvertible, Sendable {
    /// The message for operators, in Brazilian Portuguese.
    var descricao: String { get }
}
