/// What a control-flow node runs: its sub-graphs and how its inputs feed them.
///
/// Inputs of the node, in order:
/// - `cond`: the predicate, then every capture of both branches;
/// - `whileLoop`: the loop variables' initial values, then every capture of condition and body;
/// - `condGradient`: the forward cond (whose record says which branch ran and holds the values
///   that branch saved), the gradients of its outputs, then the captures;
/// - `whileGradient`: the forward loop (whose record holds each iteration's saved values), the
///   gradients of its outputs, zeros to start each capture's accumulated gradient, then the captures.
///
/// The node's value is a bundle of outputs, read by its `output` nodes.
public final class ControlFlow {
    /// The kind of control flow.
    public enum Construct: String, Sendable {
        /// Runs one of two branches (`tf.cond`).
        case cond
        /// Runs a body while a condition holds (`tf.while_loop`).
        case whileLoop = "while_loop"
        /// The gradient of a cond: the same branch, differentiated.
        case condGradient = "cond_gradient"
        /// The gradient of a loop: the iterations in reverse, each differentiated.
        case whileGradient = "while_gradient"
    }

    /// The kind of control flow.
    public let construct: Construct
    /// The sub-graphs: then and else; condition and body; or the backward versions.
    public let subGraphs: [SubGraph]
    /// At most this many iterations (a loop's `maximumIterations`).
    public let maximumIterations: Int?
    /// How many inputs come before the captures (see the type's overview).
    public let leadingInputCount: Int
    /// The outputs' static shapes (`unknownDim` for run-time dims).
    public let outputShapes: [[Int]]
    /// The ids of the node's output nodes, one per output.
    public internal(set) var outputIDs: [Int] = []

    init(construct: Construct, subGraphs: [SubGraph], maximumIterations: Int? = nil, leadingInputCount: Int,
         outputShapes: [[Int]]) {
        self.construct = construct
        self.subGraphs = subGraphs
        self.maximumIterations = maximumIterations
        self.leadingInputCount = leadingInputCount
        self.outputShapes = outputShapes
    }

    /// Whether this is the backward node of another control-flow node (its first input).
    public var isGradient: Bool { construct == .condGradient || construct == .whileGradient }

    /// The sub-graphs a gradient differentiates (a loop's condition is never differentiated).
    var differentiableSubGraphs: [SubGraph] {
        switch construct {
        case .cond: return subGraphs
        case .whileLoop: return [subGraphs[1]]
        case .condGradient, .whileGradient: return []
        }
    }
}
