/// Where in the user's code something was created: `#fileID` and `#line`.
///
/// Every public op takes `file: StaticString = #fileID, line: UInt = #line`, so errors, graph
/// nodes and anomaly reports can point at the user's own line.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The `#fileID` of the call site, for example `MyApp/Model.swift`.
    public let file: String
    /// The line of the call site.
    public let line: Int

    /// Creates a location from a file ID and a line.
    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    /// Creates a location from the compiler's `#fileID` and `#line` literals.
    public init(_ file: StaticString, _ line: UInt) {
        self.file = file.description
        self.line = Int(line)
    }

    /// A location for values made inside Tandem itself (gradients, optimizer updates).
    public static let framework = SourceLocation(file: "<tandem>", line: 0)

    /// `file:line`.
    public var description: String { "\(file):\(line)" }
}
