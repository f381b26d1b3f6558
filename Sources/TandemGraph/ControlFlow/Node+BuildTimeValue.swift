extension Node {
    /// What `Tensor.item()` is in eager code, asked of a graph node: always an error, because a
    /// node has no value while the graph is being built, only inside `Session.run`.
    ///
    /// Eager code branches with an ordinary `if loss.item() > 0 { ... }`; a graph is built once
    /// and must contain both possibilities, chosen when it runs: use ``Graph/cond(_:then:else:name:file:line:)``
    /// (or ``Graph/whileLoop(condition:body:loopVariables:maximumIterations:name:file:line:)`` to repeat).
    /// The error names this node and your line; inside `checked { }` it is thrown and this
    /// returns NaN, otherwise the program stops with the message, as with any programmer error.
    ///
    /// - Parameters:
    ///   - file: the source file of the call (defaults to the caller's, for the error message).
    ///   - line: the source line of the call (defaults to the caller's).
    /// - Returns: never a value of the node: NaN after reporting the error.
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Float {
        ErrorScope.report(.graph(
            node: name,
            reason: "has no value while the graph is being built (item() read it to decide something in Swift); a graph "
                + "is built once and computes only inside Session.run. To choose between computations by a node's value, "
                + "build both with graph.cond(predicate, then: { ... }, else: { ... }); to repeat, use graph.whileLoop; "
                + "to look at the value, fetch it with session.run",
            location: SourceLocation(file, line)))
        return .nan
    }

    /// Not available: a graph node has no values while the graph is being built. Fetch the node
    /// with `session.run` to look at it, or build the alternatives with `Graph.cond` to branch on it.
    @available(*, unavailable, message: "a graph node has no value while the graph is built: fetch it with session.run, or branch on it with graph.cond")
    public var scalars: [Float] { preconditionFailure("unavailable") }
}
