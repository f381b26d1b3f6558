/// Runs an eager module once on `example` and records its ops as a graph (`torch.jit.trace`,
/// `tf.function`): the result is callable like the module, but runs a ``TracedModule/graph`` in a
/// `Session`, with the graph optimisation passes (folding, CSE, fusion, buffer reuse).
///
/// The example becomes a placeholder of its shape and every parameter a graph variable starting
/// at the parameter's current value. A new input shape retraces (counted in
/// ``TracedModule/retraceCount``). What the trace cannot see is frozen: a tensor made from Swift
/// numbers inside `forward` becomes a constant, and a value read back into Swift (`item()`,
/// `scalars`), with any `if` taken on it, is warned about (``TracerWarning``).
///
/// ```swift
/// let model = Sequential([Linear(4, 8), ReLU(), Linear(8, 2)])
/// let traced = try trace(model, example: Tensor(zeros: [16, 4]))
/// let y = try traced(x)                     // same values as model(x), run as a graph
/// print(try traced.dot())                   // the optimised graph, in Graphviz DOT
/// ```
///
/// - Parameters:
///   - module: the eager module to record (its mode, training or evaluation, is recorded too).
///   - example: an input of the shape the graph is built for.
///   - file: the caller's file, recorded on the input placeholder and quoted in errors.
///   - line: the caller's line.
/// - Throws: a `TandemError` from the module's forward pass (named by the op and the user's line),
///   or when the module does something a graph cannot hold.
public func trace(
    _ module: Module, example: Tensor, file: StaticString = #fileID, line: UInt = #line
) throws -> TracedModule {
    try TracedModule(module, example: example, file: file, line: line)
}

/// One recorded graph, for one input shape: its placeholder, output, the variables holding the
/// module's parameters, and the session that runs it.
final class ConcreteTrace {
    let graph: Graph
    let input: Node
    let output: Node
    let parameters: [(tensor: Tensor, variable: Node)]
    let session: Session
    let warnings: [TracerWarning]

    /// Records `module` applied to `example`.
    init(_ module: Module, example: Tensor, file: StaticString, line: UInt) throws {
        let graph = Graph()
        let tracer = Tracer(graph: graph)
        let input = graph.placeholder(shape: example.shape.map { Optional($0) }, name: "input", file: file, line: line)
        let parameters = bindParameters(of: module, in: tracer, file: file, line: line)
        tracer.bind(example, to: input)
        let result = try checked { OpRecording.recording(with: tracer) { noGrad { module(example) } } }
        if let failure = tracer.failure { throw failure }
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        output = tracer.node(for: result)
        self.session = session
        self.graph = graph
        self.input = input
        self.parameters = parameters
        warnings = tracer.warnings
    }

    /// Runs the graph on `input`, with the running-statistics updates the trace recorded.
    func run(_ input: Tensor) throws -> Tensor {
        let values = try session.run([output] + graph.updateOps, feed: [self.input: input.array])
        return Tensor(values[0])
    }

    /// Copies the module's current parameter values into the session's variables.
    func reloadParameters() throws {
        for (tensor, variable) in parameters { try session.assign(tensor.array, to: variable) }
    }
}

/// Makes a graph variable for each of the module's parameters and buffers, starting at its current
/// value, and binds the tensor to it (named by its state-dict key).
///
/// Parameters become trainable variables. Buffers (tensors a module stores that are not parameters,
/// such as batch norm's running statistics) become variables that are not trained, so an in-place
/// update recorded during the trace (`Tensor.assign`) is an assign node of `Graph.updateOps`.
func bindParameters(
    of module: Module, in tracer: Tracer, file: StaticString, line: UInt
) -> [(tensor: Tensor, variable: Node)] {
    var seen = Set<ObjectIdentifier>()
    var bound: [(tensor: Tensor, variable: Node)] = []
    func bind(_ name: String, _ tensor: Tensor, trainable: Bool) {
        guard seen.insert(ObjectIdentifier(tensor)).inserted else { return }
        let variable = tracer.graph.variable(tensor.array, name: name, trainable: trainable, file: file, line: line)
        tracer.bind(tensor, to: variable)
        bound.append((tensor, variable))
    }
    for (name, tensor) in module.namedParameters { bind(name, tensor, trainable: true) }
    for (prefix, child) in module.namedModules {
        for (key, tensor) in child.storedTensors {
            bind(prefix.isEmpty ? key : prefix + "." + key, tensor, trainable: false)
        }
    }
    return bound
}
