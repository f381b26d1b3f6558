/// A sub-graph of a control-flow node: a branch of a `cond`, the condition or the body of a
/// `whileLoop`, or the backward sub-graph `gradients` builds for one of those.
///
/// Its nodes live in the same ``Graph`` as every other node (so names, source lines and the
/// shape rules work as usual), tagged with this sub-graph as their ``Node/frame``. A sub-graph
/// reads three kinds of value from outside itself, each decided when the reading node is added:
/// - its ``arguments``: loop variables (condition, body) or incoming gradients (backward);
/// - its ``captures``: nodes of an enclosing sub-graph or of the top level, the same on every
///   iteration (a weight used inside an RNN's step, say);
/// - in a backward sub-graph, its ``saved`` values: nodes of the forward sub-graph, whose value
///   in the matching forward iteration the forward loop recorded on its tape (TensorFlow's stacks).
///
/// A session compiles each sub-graph into its own optimised program with its own memory plan.
public final class SubGraph: CustomStringConvertible {
    /// What the sub-graph computes for its control-flow node.
    public enum Role: String, Sendable {
        /// The branch a `cond` runs when its predicate is nonzero.
        case thenBranch = "then"
        /// The branch a `cond` runs when its predicate is zero.
        case elseBranch = "else"
        /// A loop's condition: from the loop variables, a rank-0 value, nonzero to go on.
        case condition
        /// A loop's body: from the loop variables, their next values.
        case body
        /// The backward version of ``SubGraph/forward``: from the gradients of its results,
        /// the gradients of its arguments and captures.
        case gradient
    }

    /// What the sub-graph computes for its control-flow node.
    public let role: Role
    /// The sub-graph this one was built inside (nil: the top level).
    public unowned let parent: SubGraph?
    /// For a backward sub-graph, the forward sub-graph whose recorded values it reads.
    public unowned let forward: SubGraph?
    /// The user's line that built the control-flow node (or asked for its gradient).
    public let location: SourceLocation?
    /// Its position in the graph's ``Graph/subGraphs``.
    public let index: Int
    /// The name scope of its nodes (`while/body`, `cond/then`, ...).
    public let scope: String

    /// The argument nodes, in order (see the type's overview).
    public internal(set) var arguments: [Node] = []
    /// The values it gives back, in order.
    public internal(set) var results: [Node] = []
    /// Nodes from outside (enclosing sub-graphs or the top level) it reads, in first-use order.
    public internal(set) var captures: [Node] = []
    /// Nodes of ``forward`` it reads (a backward sub-graph only), in first-use order.
    public internal(set) var saved: [Node] = []
    /// Every node built inside it, in order (a topological order).
    public internal(set) var nodes: [Node] = []
    /// The control-flow node that runs it (nil while it is being built).
    public internal(set) unowned var owner: Node?
    /// Backward sub-graphs that read this one's recorded values.
    var readers: [SubGraph] = []

    init(role: Role, parent: SubGraph?, forward: SubGraph? = nil, location: SourceLocation?, index: Int, scope: String) {
        self.role = role
        self.parent = parent
        self.forward = forward
        self.location = location
        self.index = index
        self.scope = scope
    }

    /// The nodes whose values a forward run of this sub-graph must record for its readers:
    /// every reader's saved values, once each, in a fixed order (so the forward and the backward
    /// plans, compiled separately, agree on positions).
    var recordedNodes: [Node] {
        var seen = Set<Node>()
        var list: [Node] = []
        for reader in readers {
            for node in reader.saved where seen.insert(node).inserted { list.append(node) }
        }
        return list
    }

    /// `body of while 'while' (main.swift:12)`.
    public var description: String {
        let what: String
        switch role {
        case .thenBranch: what = "then branch"
        case .elseBranch: what = "else branch"
        case .condition: what = "condition"
        case .body: what = "body"
        case .gradient: what = "gradient sub-graph"
        }
        let ownerName = owner.map { "\($0.kindName) '\($0.name)'" } ?? "'\(scope)'"
        return "\(what) of \(ownerName)" + (location.map { " (\($0))" } ?? "")
    }

    /// Records a read of `node` from outside.
    func recordCapture(_ node: Node) {
        if !captures.contains(node) { captures.append(node) }
    }

    /// Records a read of a node of ``forward``.
    func recordSaved(_ node: Node) {
        if !saved.contains(node) { saved.append(node) }
    }
}
