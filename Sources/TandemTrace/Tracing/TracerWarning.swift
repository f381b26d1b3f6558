import Foundation

/// A warning raised while tracing (torch.jit's `TracerWarning`): something the recorded graph
/// cannot reproduce for other inputs.
///
/// The typical case is Swift reading a tensor's value (`item()`, `scalars`): the number is copied
/// out of the computation, so the graph holds it as a constant, and a Swift `if` taken on it is
/// not in the graph at all, only the branch that ran.
public struct TracerWarning: CustomStringConvertible, Equatable, Sendable {
    /// What happened.
    public enum Kind: Equatable, Sendable {
        /// Swift read a tensor's values through the named accessor (`item()`, `scalars`).
        case valueRead(accessor: String)
        /// A custom autograd function ran: its forward is recorded, its Swift backward is not.
        case customFunction(name: String)
        /// The traced module was retraced this many times (a new input shape each time).
        case frequentRetracing(count: Int)
    }

    /// What happened.
    public let kind: Kind
    /// The user's source line it happened at (nil when unknown).
    public let location: SourceLocation?
    /// The full message.
    public let message: String

    /// The message, prefixed `TracerWarning:` and with the source line, as printed on standard error.
    public var description: String {
        "TracerWarning: " + (location.map { "\($0): " } ?? "") + message
    }

    /// Prints the warning on standard error.
    func emit() {
        FileHandle.standardError.write(Data((description + "\n").utf8))
    }
}
