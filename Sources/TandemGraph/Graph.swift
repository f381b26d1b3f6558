import Foundation

/// A dataflow graph (`tf.Graph`): nodes added by building code, evaluated later by a ``Session``.
///
/// Nodes are appended in topological order (a node's inputs always exist before it), every node
/// records the source line that created it, and shape rules run as nodes are added, so an
/// impossible shape is reported at the line that built it.
///
/// ```swift
/// let g = Graph()
/// let x = g.placeholder(shape: [nil, 3], name: "x")
/// let w = g.variable(NDArray(shape: [3, 1], scalars: [1, 2, 3]), name: "w")
/// let loss = x.matmul(w).sum()
/// let grads = g.gradients(of: loss, with: [w])
/// ```
public final class Graph {
    /// Every node, in the order it was added (a topological order).
    public private(set) var nodes: [Node] = []
    /// The variable nodes, by variable index.
    public private(set) var variables: [Node] = []
    /// Each variable's initial value, by variable index.
    public private(set) var initialValues: [NDArray] = []
    /// Whether each variable is trained by optimizers' `minimize` (by variable index).
    public private(set) var isTrainable: [Bool] = []
    /// Warnings about the graph: variables that get a zero gradient, nodes added after the first
    /// run (a graph growing inside a training loop). Each is also printed to stderr.
    public private(set) var warnings: [String] = []
    /// The assign nodes that ops with a side effect added (batch norm's running-statistics
    /// updates), in the order they were built: TensorFlow 1's `tf.GraphKeys.UPDATE_OPS`. They run
    /// only when fetched, so run them with the train op:
    ///
    /// ```swift
    /// try session.run([train] + g.updateOps, feed: feed)
    /// ```
    public private(set) var updateOps: [Node] = []
    /// Whether `finalize()` was called: adding nodes is then an error.
    public private(set) var isFinalized = false
    /// The values of placeholders made by `placeholderWithDefault`, by node id, used when a run
    /// does not feed them.
    var placeholderDefaults: [Int: NDArray] = [:]

    /// Set by a session's first run: later additions are likely a graph growing in a loop.
    var hasRun = false
    private var warnedAboutGrowth = false
    /// Print nodes already reported as off the fetch path (see `Session+PrintCheck.swift`).
    var reportedPrints: Set<Int> = []
    /// Set once a train op was reported running without `updateOps` (see `Session+UpdateOpsCheck.swift`).
    var reportedSkippedUpdates = false
    /// Set once a run was reported evaluating batch norm in training mode (see `Session+UpdateOpsCheck.swift`).
    var reportedTrainingModeEvaluation = false
    /// The node `initializeVariables()` returned last (reused while the variables are unchanged).
    private var initializer: Node?
    private var nameCounts: [String: Int] = [:]
    private var namesInUse: Set<String> = []
    private var nodesByName: [String: Node] = [:]
    private var scopes: [String] = []
    /// The sub-graphs of every `cond` and `whileLoop` (and their gradients), in creation order.
    public internal(set) var subGraphs: [SubGraph] = []
    /// The sub-graph whose closure is being built (nil at the top level): new nodes go there.
    var currentFrame: SubGraph?

    /// Creates an empty graph.
    public init() {}

    // MARK: Sources

    /// A value fed at run time (`tf.placeholder`).
    ///
    /// - Parameters:
    ///   - shape: the static shape; nil marks a dimension of any size (usually the batch).
    ///   - name: the node's name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func placeholder(
        shape: [Int?], name: String = "placeholder", file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        addNode(.placeholder, [], name: name, shape: shape.map { $0 ?? unknownDim }, location: SourceLocation(file, line))
    }

    /// Integer class labels of any length, fed as a rank-1 NDArray of whole numbers
    /// (`NDArray(shape: [n], scalars: labels.map(Float.init))`). A fractional label is a run-time
    /// error; an out-of-range one is reported by the loss that reads it.
    ///
    /// - Parameters:
    ///   - name: the node's name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func labelsPlaceholder(
        name: String = "labels", file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        addNode(.labelsPlaceholder, [], name: name, shape: [unknownDim], location: SourceLocation(file, line))
    }

    /// A value fixed when the graph is built (`tf.constant`).
    ///
    /// - Parameters:
    ///   - value: the value, copied into the graph (and into a saved graph file).
    ///   - name: the node's name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func constant(
        _ value: NDArray, name: String = "constant", file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        addNode(.constant(value), [], name: name, shape: value.shape, location: SourceLocation(file, line))
    }

    /// A trainable value that lives in a session, starting at `initialValue` once
    /// `initializeVariables()` runs (`tf.Variable`).
    ///
    /// - Parameters:
    ///   - initialValue: the value the initializer assigns.
    ///   - name: the variable's name (state is saved and loaded by name).
    ///   - trainable: whether optimizers' `minimize` updates it.
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func variable(
        _ initialValue: NDArray, name: String = "variable", trainable: Bool = true,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        let index = variables.count
        let node = addNode(
            .variable(index: index), [], name: name, shape: initialValue.shape, location: SourceLocation(file, line))
        registerVariable(node, initialValue: initialValue, trainable: trainable)
        return node
    }

    /// Records a variable node's initial value (used by `variable` and by loading).
    func registerVariable(_ node: Node, initialValue: NDArray, trainable: Bool) {
        variables.append(node)
        initialValues.append(initialValue.contiguous())
        isTrainable.append(trainable)
    }

    /// A node that assigns every variable created so far its initial value
    /// (`tf.global_variables_initializer()`); run it once in each new session.
    ///
    /// Calling it again while the variables are unchanged returns the same node, so a second
    /// session (or a helper that initialises "just in case") does not grow the graph.
    ///
    /// - Parameters:
    ///   - file: the source file recorded on the node (defaults to the caller's).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func initializeVariables(file: StaticString = #fileID, line: UInt = #line) -> Node {
        if let initializer, case .initializer(let covered) = initializer.kind, covered.count == variables.count {
            return initializer
        }
        let node = addNode(.initializer(variables: Array(variables.indices)), [], name: "init", shape: [0],
                           location: SourceLocation(file, line))
        initializer = node
        return node
    }

    /// Names a node's value (`tf.identity`), so it can be fed or fetched by that name, here or
    /// in a graph loaded from a file (`node(named:)`). It costs nothing when the graph runs.
    ///
    /// ```swift
    /// let logits = g.identity(h.matmul(w) + b, name: "logits")
    /// // ... later, or after loading the saved graph:
    /// let same = g.node(named: "logits")!
    /// ```
    ///
    /// - Parameters:
    ///   - node: the value to name.
    ///   - name: the name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func identity(_ node: Node, name: String, file: StaticString = #fileID, line: UInt = #line) -> Node {
        let location = SourceLocation(file, line)
        guard node.belongs(to: self) else {
            let error = TandemError.graph(node: node.name, reason: "identity of a node of another graph", location: location)
            ErrorScope.report(error)
            return addNode(.identity, [], name: name, shape: node.staticShape, location: location, poison: error)
        }
        return addNode(.identity, [node], name: name, shape: node.staticShape, location: location, poison: node.poison)
    }

    /// An identity node that prints `message` and its input's value when it executes
    /// (`tf.Print`). Like `tf.Print`, it prints only when it is on the path of something you fetch:
    /// use its result in place of `node`, or fetch it.
    ///
    /// - Parameters:
    ///   - node: the value to print and pass on.
    ///   - message: printed before the value.
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func print(
        _ node: Node, message: String, file: StaticString = #fileID, line: UInt = #line
    ) -> Node {
        addNode(.print(message: message), [node], name: "print", shape: node.staticShape,
                location: SourceLocation(file, line))
    }

    /// A node that runs `nodes` for their effects (`tf.group`), returning an empty value.
    ///
    /// - Parameters:
    ///   - nodes: the nodes to run (train ops, other groups, any value).
    ///   - name: the node's name (made unique with a suffix if already used).
    ///   - file: the source file recorded on the node (defaults to the caller's, for error messages).
    ///   - line: the source line recorded on the node (defaults to the caller's).
    public func group(_ nodes: [Node], name: String = "group", file: StaticString = #fileID, line: UInt = #line) -> Node {
        addNode(.group, nodes, name: name, shape: [0], location: SourceLocation(file, line))
    }

    /// The node with this name, if any (to feed or fetch a loaded graph's nodes).
    ///
    /// - Parameter name: the full name, scopes included (`dense/matmul`).
    public func node(named name: String) -> Node? { nodesByName[name] }

    /// Forbids adding nodes from now on (`tf.Graph.finalize`): a training loop that accidentally
    /// builds nodes then fails at once instead of slowly growing the graph.
    public func finalize() { isFinalized = true }

    /// Runs `body` with names prefixed by `scope/` (`tf.name_scope`).
    ///
    /// - Parameters:
    ///   - scope: the prefix added to every node name created in `body`.
    ///   - body: builds the nodes; its result is returned.
    public func withNameScope<R>(_ scope: String, _ body: () throws -> R) rethrows -> R {
        scopes.append(scope)
        defer { scopes.removeLast() }
        return try body()
    }

    // MARK: Adding nodes

    /// Adds a primitive node, running its shape rule on the static shapes.
    func addPrimitive(_ op: Op, _ inputs: [Node], at location: SourceLocation?) -> Node {
        if let stranger = inputs.first(where: { !$0.belongs(to: self) }) {
            let error = TandemError.graph(
                node: stranger.name, reason: "\(op.name) mixes nodes of two different graphs", location: location)
            ErrorScope.report(error)
            return addNode(.primitive(op), inputs.filter { $0.belongs(to: self) }, name: op.name, shape: [], location: location, poison: error)
        }
        if let poisoned = inputs.first(where: { $0.poison != nil }) {
            return addNode(.primitive(op), inputs, name: op.name, shape: [], location: location, poison: poisoned.poison)
        }
        do {
            let shape = try op.outputShape(inputs.map(\.staticShape))
            return addNode(.primitive(op), inputs, name: op.name, shape: shape, location: location)
        } catch {
            let reason = (error as? ShapeRuleError)?.reason ?? "\(error)"
            let tandemError = TandemError.shapeMismatch(
                op: op.name, shapes: inputs.map(\.shape), reason: reason, location: location)
            ErrorScope.report(tandemError)
            return addNode(.primitive(op), inputs, name: op.name, shape: [], location: location, poison: tandemError)
        }
    }

    /// Adds an assign of `value` to the variable `target` and collects it in `updateOps`.
    @discardableResult
    func addAssign(_ value: Node, to target: Node, at location: SourceLocation?) -> Node {
        let name = "\(target.name)/assign"
        var error: TandemError?
        if let poison = value.poison ?? target.poison {
            error = poison
        } else if !value.belongs(to: self) || !target.belongs(to: self) {
            error = .graph(node: target.name, reason: "assign mixes nodes of two different graphs", location: location)
        } else if !target.isVariable {
            error = .graph(
                node: target.name,
                reason: "only a variable can be assigned (give running statistics as graph variables), not \(target.kindName)",
                location: location)
        } else if !(value.staticShape.count == target.staticShape.count
                    && zip(value.staticShape, target.staticShape).allSatisfy({ $0 == $1 || $0 == unknownDim })) {
            error = .shapeMismatch(
                op: "assign", shapes: [target.shape, value.shape],
                reason: "cannot assign a value of shape \(formatShape(value.shape)) to variable '\(target.name)' of shape \(formatShape(target.shape))",
                location: location)
        }
        if let error, value.poison == nil && target.poison == nil { ErrorScope.report(error) }
        guard case .variable(let index) = target.kind, error == nil else {
            return addNode(.assign(variable: -1), value.belongs(to: self) ? [value] : [], name: name, shape: [0], location: location,
                           poison: error)
        }
        let node = addNode(.assign(variable: index), [value], name: name, shape: [0], location: location)
        collectUpdateOp(node)
        return node
    }

    /// Adds an assign node to `updateOps` (also used when loading a graph file).
    func collectUpdateOp(_ node: Node) { updateOps.append(node) }

    /// Appends a node with a unique name; checks `finalize()` and warns about growth after a run.
    ///
    /// Inside a `cond` branch or a loop body the node joins that sub-graph, and every input from
    /// outside it is admitted (a capture, or a value replayed from the forward pass) or rejected
    /// (see `Graph+ControlFlowBuilding.swift`); sources (placeholders, variables) always join the
    /// top level. `nameIsUnique` says `name` was already reserved with `reserveName`.
    @discardableResult
    func addNode(
        _ kind: Node.Kind, _ inputs: [Node], name: String, shape: [Int], location: SourceLocation?,
        poison: TandemError? = nil, nameIsUnique: Bool = false
    ) -> Node {
        var poison = poison
        var inputs = inputs
        // Every API that adds a node (group, print, identity, an op, an update) reads only nodes of
        // this graph: a stranger's id would index another graph's tables.
        if let stranger = inputs.first(where: { !$0.belongs(to: self) }) {
            let error = stranger.graphIsReleased ? stranger.releasedGraphError : TandemError.graph(
                node: stranger.name, reason: "\(name): the input belongs to another graph", location: location)
            if poison == nil { ErrorScope.report(error) }
            poison = poison ?? error
            inputs = inputs.filter { $0.belongs(to: self) }
        }
        let frame = Graph.joinsTopLevel(kind) ? nil : currentFrame
        if let error = admit(kind, inputs, into: frame, reader: name, at: location) {
            if poison == nil { ErrorScope.report(error) }
            poison = poison ?? error
        }
        if isFinalized {
            let error = TandemError.graph(
                node: name, reason: "the graph is finalized; no node can be added", location: location)
            ErrorScope.report(error)
            poison = poison ?? error
        } else if hasRun && !warnedAboutGrowth {
            warnedAboutGrowth = true
            warn("node '\(name)' was added at \(location.map { "\($0)" } ?? "an operator") after the graph first ran; "
                 + "a graph that grows every step (ops built inside a training loop) gets slower and leaks memory")
        }
        let unique = nameIsUnique ? name : uniqueName(scopes.isEmpty ? name : scopes.joined(separator: "/") + "/" + name)
        let node = Node(graph: self, id: nodes.count, kind: kind, inputs: inputs, name: unique,
                        staticShape: shape, location: location, poison: poison, frame: frame)
        nodes.append(node)
        nodesByName[unique] = node
        frame?.nodes.append(node)
        return node
    }

    /// Reserves a unique name, under the current name scopes unless `scoped` is false (for a
    /// node added later with `nameIsUnique`, whose sub-graphs' nodes are named after it).
    func reserveName(_ base: String, scoped: Bool = true) -> String {
        uniqueName(!scoped || scopes.isEmpty ? base : scopes.joined(separator: "/") + "/" + base)
    }

    /// Runs `body` with the name scopes replaced by one full scope (a sub-graph's `while/body`).
    func withScope<R>(replacedBy scope: String, _ body: () -> R) -> R {
        let outer = scopes
        scopes = [scope]
        defer { scopes = outer }
        return body()
    }

    /// Records a warning and prints it to stderr.
    func warn(_ message: String) {
        warnings.append(message)
        FileHandle.standardError.write(Data("TandemGraph warning: \(message)\n".utf8))
    }

    private func uniqueName(_ base: String) -> String {
        if !namesInUse.contains(base) {
            namesInUse.insert(base)
            return base
        }
        var n = nameCounts[base, default: 0]
        var candidate: String
        repeat {
            n += 1
            candidate = "\(base)_\(n)"
        } while namesInUse.contains(candidate)
        nameCounts[base] = n
        namesInUse.insert(candidate)
        return candidate
    }
}
