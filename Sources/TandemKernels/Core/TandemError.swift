/// An error raised by Tandem: bad shapes, bad values, bad files, bad feeds.
///
/// Every case names the op (or node, or file), the shapes involved where there are any, and the
/// user's source line where it is known, so that `description` alone says what to fix.
public enum TandemError: Error, Equatable, CustomStringConvertible {
    /// An op was given inputs whose shapes it cannot combine.
    case shapeMismatch(op: String, shapes: [[Int?]], reason: String, location: SourceLocation?)
    /// An op was given a value it cannot use (a fractional label, an out-of-range index).
    case invalidValue(op: String, reason: String, location: SourceLocation?)
    /// A computation produced NaN or infinity where a check asked for finite values.
    case nonFinite(op: String, phase: String, shapes: [[Int?]], location: SourceLocation?)
    /// A file could not be read or written: missing, truncated, corrupt, or of a future version.
    case file(path: String, reason: String)
    /// A graph could not run: a missing feed, a wrong feed shape, an uninitialised variable.
    case graph(node: String, reason: String, location: SourceLocation?)
    /// A misuse of the autograd machinery (a second backward through a freed graph, ...).
    case autograd(reason: String, location: SourceLocation?)
    /// A collective operation between processes failed: ranks that disagree (uneven numbers of
    /// steps, different parameters, different collectives), a rank that stopped, a timeout.
    case distributed(op: String, reason: String, location: SourceLocation?)

    /// A human-readable message naming the op, the shapes and the source line.
    public var description: String {
        func at(_ location: SourceLocation?) -> String {
            location.map { " (at \($0))" } ?? ""
        }
        switch self {
        case let .shapeMismatch(op, shapes, reason, location):
            return "\(op): \(reason); input shapes \(shapes.map(formatShape).joined(separator: ", "))\(at(location))"
        case let .invalidValue(op, reason, location):
            return "\(op): \(reason)\(at(location))"
        case let .nonFinite(op, phase, shapes, location):
            return "\(op): \(phase) produced NaN or Inf; input shapes "
                + "\(shapes.map(formatShape).joined(separator: ", "))\(at(location))"
        case let .file(path, reason):
            return "\(path): \(reason)"
        case let .graph(node, reason, location):
            return "node '\(node)': \(reason)\(at(location))"
        case let .autograd(reason, location):
            return "autograd: \(reason)\(at(location))"
        case let .distributed(op, reason, location):
            return "\(op): \(reason)\(at(location))"
        }
    }

    /// The user's source line the error points at, when known.
    public var location: SourceLocation? {
        switch self {
        case let .shapeMismatch(_, _, _, location), let .invalidValue(_, _, location),
            let .nonFinite(_, _, _, location), let .graph(_, _, location),
            let .autograd(_, location), let .distributed(_, _, location):
            return location
        case .file:
            return nil
        }
    }
}

/// Formats a shape the way PyTorch prints sizes: `[2, 3]`, with `?` for an unknown dimension.
public func formatShape(_ shape: [Int?]) -> String {
    "[" + shape.map { $0.map(String.init) ?? "?" }.joined(separator: ", ") + "]"
}

/// Formats a concrete shape: `[2, 3]`.
public func formatShape(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
