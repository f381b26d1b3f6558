import Foundation

/// A symbolic value in a ``Graph``: the result of an op, a placeholder, a constant or a variable.
///
/// Building with nodes computes nothing; it records what to compute. A ``Session`` evaluates the
/// nodes you fetch. `Node` conforms to `TensorExpression`, so it has exactly the operators,
/// methods and free functions of the eager `Tensor` (`matmul`, `relu()`, `sum(dim:keepDim:)`,
/// `conv2d`, `crossEntropy`, ...), with the same shape rules and gradient rules.
///
/// ```swift
/// let g = Graph()
/// let x = g.placeholder(shape: [nil, 3], name: "x")
/// let y = x.relu().sum(dim: 1)      // a node of static shape [?]
/// y.shape                           // [nil]
/// ```
public final class Node: TensorExpression, Hashable, CustomStringConvertible {
    /// What a node is: a source of values, a primitive, or an effect run for its side effect.
    public enum Kind {
        /// A value fed at run time (`tf.placeholder`).
        case placeholder
        /// Integer class labels fed at run time as whole-number floats.
        case labelsPlaceholder
        /// A value fixed when the graph is built.
        case constant(NDArray)
        /// A variable: `index` into the graph's variables (its value lives in a `Session`).
        case variable(index: Int)
        /// A primitive of the core applied to the inputs.
        case primitive(Op)
        /// Identity that prints its input's value when it executes (on the fetch path only).
        case print(message: String)
        /// Its input's value under another name (`tf.identity`); costs nothing at run time.
        case identity
        /// Assigns every listed variable its initial value (`tf.global_variables_initializer`).
        case initializer(variables: [Int])
        /// Applies an optimizer update to variables, from the gradients that are its inputs (and
        /// the learning rate after them, when it is a node).
        case update(OptimizerUpdate)
        /// Assigns its input's value to a variable, in place (`tf.assign`): a running-statistics
        /// update of batch norm, collected in `Graph.updateOps`.
        case assign(variable: Int)
        /// A training value that is not differentiated: a decayed learning rate, a global norm.
        case training(TrainingFunction)
        /// Runs its inputs for their effects and returns nothing (`tf.group`).
        case group
        /// A `cond` or `whileLoop` (or the backward node `gradients` built for one): it runs its
        /// sub-graphs and yields several values, read by its `output` nodes.
        case controlFlow(ControlFlow)
        /// Output `index` of the control-flow node that is its one input.
        case output(index: Int)
        /// Argument `index` of the sub-graph it belongs to: a loop variable inside a loop's
        /// condition or body, or an incoming gradient inside a backward sub-graph.
        case argument(index: Int)
        /// A kernel supplied by a library above TandemGraph (see ``CustomKernel``).
        case custom(CustomKernel)
    }

    /// The graph this node belongs to.
    ///
    /// The graph owns its nodes and a node refers to its graph weakly (a strong reference both
    /// ways would leak every graph). Using a node whose graph was released is a `TandemError`
    /// naming the node: thrown inside `checked`, fatal with Tandem's message outside one; every
    /// throwing API (`Session.run`, ...) throws it. Keep the `Graph` (or the `Sequential` or
    /// `Session` holding it) alive while you use its nodes.
    public var graph: Graph {
        if let owner { return owner }
        ErrorScope.report(releasedGraphError)
        return Graph()  // a detached placeholder, so that the recorded error is what `checked` throws
    }
    private weak var owner: Graph?

    /// Whether the node belongs to `graph` (false, without an error, when its graph was released).
    public func belongs(to graph: Graph) -> Bool { owner === graph }

    /// Whether the node's graph has been released.
    public var graphIsReleased: Bool { owner == nil }

    /// The error for a use of this node after its graph was released.
    var releasedGraphError: TandemError {
        .graph(node: name, reason: "its Graph has been released; keep the Graph (or the Sequential or Session holding it) "
            + "alive while its nodes are used", location: location)
    }
    /// The node's position in its graph (nodes are added in topological order).
    public let id: Int
    /// What the node computes.
    public let kind: Kind
    /// The nodes it reads.
    public let inputs: [Node]
    /// A unique name in the graph, such as `dense/matmul_3` or the name you gave.
    public let name: String
    /// The static shape in the shape rules' encoding (`unknownDim` for dims known only at run time).
    public let staticShape: [Int]
    /// The `#fileID:#line` of the user code that created the node (nil for nodes built by a Swift
    /// operator, which cannot take `#line`).
    public let location: SourceLocation?
    /// The error that made this node impossible (a shape rule failed here or upstream).
    public let poison: TandemError?
    /// The sub-graph (a branch, a loop's condition or body) this node was built in; nil at the
    /// top level. The graph owns its sub-graphs, as it owns its nodes.
    public var frame: SubGraph? { frameReference }
    private weak var frameReference: SubGraph?

    init(graph: Graph, id: Int, kind: Kind, inputs: [Node], name: String, staticShape: [Int],
         location: SourceLocation?, poison: TandemError?, frame: SubGraph? = nil) {
        self.owner = graph
        self.frameReference = frame
        self.id = id
        self.kind = kind
        self.inputs = inputs
        self.name = name
        self.staticShape = staticShape
        self.location = location
        self.poison = poison
    }

    /// The static shape, with nil for a dimension known only at run time (usually the batch).
    public var shape: [Int?] { staticShape.map { $0 == unknownDim ? nil : $0 } }

    /// The primitive, when the node applies one.
    public var op: Op? {
        if case .primitive(let op) = kind { return op }
        return nil
    }

    /// Whether the node is a variable.
    public var isVariable: Bool {
        if case .variable = kind { return true }
        return false
    }

    /// The op or kind name shown in errors and DOT output: `matmul`, `placeholder`, `variable`, ...
    public var kindName: String {
        switch kind {
        case .placeholder: return "placeholder"
        case .labelsPlaceholder: return "labels_placeholder"
        case .constant: return "constant"
        case .variable: return "variable"
        case .primitive(let op): return op.description
        case .print: return "print"
        case .identity: return "identity"
        case .initializer: return "init"
        case .update(let update): return update.optimizerName
        case .assign: return "assign"
        case .training(let function): return function.name
        case .group: return "group"
        case .controlFlow(let flow): return flow.construct.rawValue
        case .output(let index): return "output \(index)"
        case .argument(let index): return "argument \(index)"
        case .custom(let kernel): return kernel.name
        }
    }

    /// Where the node came from, for error messages: `File.swift:12`, or for operator-built nodes
    /// the nearest input that has a line.
    public var originDescription: String {
        if let location { return "\(location)" }
        var frontier = inputs
        var seen = Set<Int>()
        while !frontier.isEmpty {
            let next = frontier.removeFirst()
            guard seen.insert(next.id).inserted else { continue }
            if let l = next.location { return "built by an operator from '\(next.name)' at \(l)" }
            frontier.append(contentsOf: next.inputs)
        }
        return "built by an operator"
    }

    /// `name: op [shape]`.
    public var description: String { "\(name): \(kindName) \(formatShape(shape))" }

    // MARK: Hashable by identity

    /// Identity: two nodes are equal only when they are the same node.
    ///
    /// - Parameters:
    ///   - lhs: a node.
    ///   - rhs: another node.
    public static func == (lhs: Node, rhs: Node) -> Bool { lhs === rhs }
    /// Hashes the node's identity.
    ///
    /// - Parameter hasher: the hasher to feed the node's identity.
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    // MARK: TensorExpression

    /// Adds a node applying `op` to `inputs` to their graph; runs the op's shape rule now, so an
    /// impossible shape is reported at the line that built it.
    ///
    /// - Parameters:
    ///   - op: the primitive.
    ///   - inputs: its operands, at least one, all of one graph.
    ///   - location: the user's source line, quoted in shape errors.
    public static func apply(_ op: Op, _ inputs: [Node], at location: SourceLocation?) -> Node {
        precondition(!inputs.isEmpty, "Node.apply(\(op.name)): an op needs at least one input node")
        return inputs[0].graph.addPrimitive(op, inputs, at: location)
    }

    /// Adds a node assigning `value` to the variable `target` and appends it to
    /// `Graph.updateOps` (TensorFlow 1's `UPDATE_OPS` collection): nothing changes until a
    /// session runs it, which the user does together with the train op.
    ///
    /// - Parameters:
    ///   - value: the new value, of the variable's shape.
    ///   - target: a variable of the same graph.
    ///   - location: the user's source line, quoted in errors.
    public static func assign(_ value: Node, to target: Node, at location: SourceLocation?) {
        target.graph.addAssign(value, to: target, at: location)
    }

    /// Reports `error` and returns a node carrying it, for an op left without inputs (`cat([])`).
    /// No input says which graph the node belongs to, so it sits in ``failures``, a graph of its
    /// own; anything built on it carries the first error on.
    ///
    /// - Parameter error: the error, naming the op and the user's line.
    public static func failure(_ error: TandemError) -> Node {
        ErrorScope.report(error)
        failuresLock.lock()
        defer { failuresLock.unlock() }
        return failures.addNode(.identity, [], name: "failed", shape: [], location: error.location, poison: error)
    }

    /// The graph of the nodes ``failure(_:)`` returns. It lives as long as the process, because a
    /// node does not keep its graph alive (`graph` is unowned); it holds one node per such error.
    private static let failures = Graph()
    /// Serialises additions to ``failures`` (errors may happen on several threads).
    private static let failuresLock = NSLock()
}
