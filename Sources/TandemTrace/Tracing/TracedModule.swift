/// An eager module recorded as a graph by ``trace(_:example:file:line:)``: call it like the
/// module, and it runs the graph in a `Session` (torch.jit's `ScriptModule` from tracing,
/// tf.function's concrete functions).
///
/// One graph is kept per input shape. A call with a shape not seen before runs the eager module
/// again to record a new graph (a retrace, as tf.function does for a new input signature); after
/// ``retraceWarningThreshold`` retraces a ``TracerWarning`` suggests a fixed shape, because each
/// retrace costs a full eager run plus graph compilation.
///
/// The graph's variables start at the parameters' values when traced. After training the eager
/// module further, ``reloadParameters()`` copies the new values in.
public final class TracedModule {
    /// The eager module that was traced (run again on a retrace).
    public let module: Module
    /// Retraces after which a warning is raised (tf.function warns after 5).
    public var retraceWarningThreshold = 5
    /// The trace for the most recent input shape.
    private var current: ConcreteTrace
    /// Every trace, by input shape.
    private var traces: [[Int]: ConcreteTrace]
    /// How many graphs were recorded, the first included.
    public private(set) var traceCount = 1
    /// Warnings raised by every trace and retrace, in order.
    public private(set) var warnings: [TracerWarning]

    /// Traces `module` on `example` (see ``trace(_:example:file:line:)``).
    init(_ module: Module, example: Tensor, file: StaticString, line: UInt) throws {
        self.module = module
        current = try ConcreteTrace(module, example: example, file: file, line: line)
        traces = [example.shape: current]
        warnings = current.warnings
    }

    /// The recorded graph for the most recent input shape (placeholder ``input``, result ``output``).
    ///
    /// This is the graph as recorded, one node per eager op; a session runs it after the
    /// optimisation passes, which ``dot(optimized:)`` and ``plannedOps()`` show.
    public var graph: Graph { current.graph }
    /// The placeholder the input is fed to.
    public var input: Node { current.input }
    /// The node of the module's result.
    public var output: Node { current.output }
    /// The session that runs ``graph``, holding the parameters as variables.
    public var session: Session { current.session }
    /// How many times a new input shape made the module be traced again.
    public var retraceCount: Int { traceCount - 1 }
    /// The input shapes traced so far.
    public var tracedShapes: [[Int]] { Array(traces.keys) }

    /// Runs the graph on `input` (retracing first when its shape was not traced yet).
    ///
    /// - Parameters:
    ///   - input: a batch for the module.
    ///   - file: the caller's file, named by a retrace's warnings and errors.
    ///   - line: the caller's line.
    /// - Returns: the module's result, computed by the graph.
    /// - Throws: a `TandemError` from the session, or from the eager run of a retrace.
    public func callAsFunction(_ input: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let trace = traces[input.shape] {
            current = trace
        } else {
            try retrace(for: input, file: file, line: line)
        }
        return try current.run(input)
    }

    /// Records a new graph for `input`'s shape.
    private func retrace(for input: Tensor, file: StaticString, line: UInt) throws {
        let trace = try ConcreteTrace(module, example: input, file: file, line: line)
        traces[input.shape] = trace
        current = trace
        traceCount += 1
        warnings += trace.warnings
        if retraceCount == retraceWarningThreshold {
            let warning = TracerWarning(
                kind: .frequentRetracing(count: retraceCount), location: SourceLocation(file, line),
                message: "\(retraceCount) calls with a new input shape triggered retracing (traced shapes: "
                    + tracedShapes.map(formatShape).sorted().joined(separator: ", ")
                    + "). Each retrace runs the eager module and compiles a new graph; "
                    + "feed one fixed shape (pad the last batch) to trace once.")
            warnings.append(warning)
            warning.emit()
        }
    }

    /// The graph in Graphviz DOT, as the session runs it (after the optimisation passes) or as recorded.
    ///
    /// - Parameter optimized: draw the optimised program (default) rather than the recorded nodes.
    public func dot(optimized: Bool = true) throws -> String {
        optimized ? try session.dot(fetches: [output], feedKeys: [input]) : try graph.dot(fetches: [output])
    }

    /// The ops the session executes for one call, in order, after the optimisation passes.
    public func plannedOps() throws -> [Op] {
        try session.plannedOps(fetches: [output], feedKeys: [input])
    }

    /// Copies the eager module's current parameter values into every traced graph's variables.
    public func reloadParameters() throws {
        for trace in traces.values { try trace.reloadParameters() }
    }
}
