import Foundation

/// The recorder `trace` installs in the eager frontend: each primitive the module runs becomes a
/// graph node with the same `Op` (the primitive table is shared), wired to the nodes of its inputs.
///
/// A tensor the recorder has not seen before is a value from outside the trace (a tensor made
/// inside `forward` from Swift numbers, a buffer): it enters the graph as a constant, frozen, as in
/// torch.jit.trace. Parameters and the example input are bound first, to variables and a placeholder.
///
/// NOTE: tensors are keyed by object identity, so the tracer keeps every tensor it has seen alive
/// until the trace ends; otherwise a freed tensor's identifier could be reused by a new one.
final class Tracer: OpRecorder {
    /// The graph being recorded (held strongly: nodes refer to it unowned).
    let graph: Graph
    /// Warnings raised so far, in order.
    private(set) var warnings: [TracerWarning] = []
    /// Whether a `detach()` or a custom function ran: a graph gradient would flow through them.
    private(set) var cutsGradient: (what: String, location: SourceLocation?)?
    /// The first in-place write the graph cannot hold (to a tensor that is not a variable).
    private(set) var failure: TandemError?

    private var nodes: [ObjectIdentifier: Node] = [:]
    private var kept: [Tensor] = []
    private var warnedAt: Set<String> = []

    init(graph: Graph) { self.graph = graph }

    /// Binds `tensor` to `node` (the example to its placeholder, a parameter to its variable).
    func bind(_ tensor: Tensor, to node: Node) {
        nodes[ObjectIdentifier(tensor)] = node
        kept.append(tensor)
    }

    /// The node holding `tensor`'s value: the one it is bound to, or a new constant of its values.
    func node(for tensor: Tensor) -> Node {
        if let node = nodes[ObjectIdentifier(tensor)] { return node }
        let node = graph.constant(tensor.array, name: "constant")
        bind(tensor, to: node)
        return node
    }

    /// Whether `tensor` was produced by the trace or bound to it (rather than coming from outside).
    func isTraced(_ tensor: Tensor) -> Bool {
        guard let node = nodes[ObjectIdentifier(tensor)] else { return false }
        if case .constant = node.kind { return false }
        return true
    }

    // MARK: OpRecorder

    func recordOp(_ op: Op, inputs: [Tensor], output: Tensor, at location: SourceLocation?) {
        let inputNodes = inputs.map { node(for: $0) }
        bind(output, to: Node.apply(op, inputNodes, at: location))
    }

    func recordAssign(_ value: Tensor, to target: Tensor, at location: SourceLocation?) {
        let targetNode = node(for: target)
        guard targetNode.isVariable else {
            if failure == nil {
                failure = .invalidValue(
                    op: "trace",
                    reason: "an in-place update of a tensor of shape \(formatShape(target.shape)) that is not a module "
                        + "parameter cannot be recorded (a traced graph can only assign to its variables)",
                    location: location)
            }
            return
        }
        Node.assign(node(for: value), to: targetNode, at: location)
    }

    func recordDetach(_ output: Tensor, of input: Tensor) {
        bind(output, to: node(for: input))
        if cutsGradient == nil { cutsGradient = ("detach()", nil) }
    }

    func recordValueRead(of tensor: Tensor, through accessor: String, at location: SourceLocation?) {
        guard isTraced(tensor) else { return }
        let producer = nodes[ObjectIdentifier(tensor)]
        let place = location ?? producer?.location
        let what = producer.map { "the value of \($0.name) (\($0.kindName), shape \(formatShape($0.shape)))" } ?? "a traced tensor"
        let message = "\(accessor) read \(what) during tracing: its value is frozen into the graph as a constant, "
            + "and a branch taken on it is recorded as the branch that ran. The trace may be wrong for other inputs."
        warn(TracerWarning(kind: .valueRead(accessor: accessor), location: place, message: message))
    }

    func recordCustomFunction(named name: String, result: Tensor, forwardOutput: Tensor, at location: SourceLocation) {
        bind(result, to: node(for: forwardOutput))
        if cutsGradient == nil { cutsGradient = ("the custom function \(name)", location) }
        let message = "the custom function \(name) is recorded as the primitives of its forward; "
            + "its Swift backward is not part of the graph."
        warn(TracerWarning(kind: .customFunction(name: name), location: location, message: message))
    }

    /// Records and prints a warning, once per kind and source line.
    func warn(_ warning: TracerWarning) {
        let key = "\(warning.kind)@\(warning.location?.description ?? "?")"
        guard warnedAt.insert(key).inserted else { return }
        warnings.append(warning)
        warning.emit()
    }
}
