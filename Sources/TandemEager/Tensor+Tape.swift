/// One op recorded on the eager tape, as ``Tensor/recordedTape()`` lists it: enough to print or
/// draw the backward graph (PyTorch: walking `grad_fn.next_functions`).
public struct TapeEntry: Equatable, Sendable {
    /// Where one input of a recorded op came from.
    public enum Input: Equatable, Sendable {
        /// The output of another entry, by its position in the list.
        case entry(Int)
        /// A leaf tensor (a parameter, or data), with its shape and whether it receives a gradient.
        case leaf(shape: [Int], requiresGrad: Bool)
    }

    /// The backward node's name, as PyTorch prints a `grad_fn`: `MulBackward`, `ReluBackward`.
    public let name: String
    /// The shape of the op's output.
    public let shape: [Int]
    /// The op's inputs, in order.
    public let inputs: [Input]
    /// What the node keeps for backward: `"input 0"`, `"output"`, `"2 saved tensors"` (a custom
    /// function's `saveForBackward`). Empty when backward needs no value (an add, a sum).
    public let saved: [String]
}

extension Tensor {
    /// The ops recorded on the tape that lead to this tensor, each entry after the entries it
    /// reads, this tensor's op last; empty for a leaf, and after a backward without
    /// `retainGraph` (which frees the tape).
    ///
    /// ```swift
    /// let w = Tensor(shape: [], scalars: [0.5], requiresGrad: true)
    /// let loss = (w * 2).relu()
    /// loss.recordedTape().map(\.name)   // ["MulBackward", "ReluBackward"]
    /// ```
    public func recordedTape() -> [TapeEntry] {
        guard let root = node, !root.isFreed else { return [] }
        var index: [ObjectIdentifier: Int] = [:]
        var shapes: [ObjectIdentifier: [Int]] = [ObjectIdentifier(root): shape]
        var entries: [TapeEntry] = []
        // Iterative post-order walk: a node is listed once all the nodes it reads are.
        var stack: [(node: TapeNode, next: Int)] = [(root, 0)]
        var onStack: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        while let top = stack.last {
            let node = top.node
            if top.next < node.inputs.count {
                stack[stack.count - 1].next += 1
                let input = node.inputs[top.next]
                if let child = input.node, !child.isFreed {
                    let id = ObjectIdentifier(child)
                    shapes[id] = input.shape
                    if index[id] == nil && !onStack.contains(id) {
                        onStack.insert(id)
                        stack.append((child, 0))
                    }
                }
                continue
            }
            stack.removeLast()
            let id = ObjectIdentifier(node)
            let inputs: [TapeEntry.Input] = node.inputs.map { input in
                if let child = input.node, let i = index[ObjectIdentifier(child)] { return .entry(i) }
                return .leaf(shape: input.shape, requiresGrad: input.requiresGrad)
            }
            var saved: [String] = []
            if let op = node.op {
                for i in node.inputs.indices where op.gradientReads(input: i, needed: node.needed) == .value { saved.append("input \(i)") }
                if node.output != nil { saved.append("output") }
            } else if let custom = node.custom, !custom.context.savedTensors.isEmpty {
                saved.append("\(custom.context.savedTensors.count) saved tensor\(custom.context.savedTensors.count == 1 ? "" : "s")")
            }
            index[id] = entries.count
            entries.append(TapeEntry(name: node.backwardName, shape: shapes[id] ?? [], inputs: inputs, saved: saved))
        }
        return entries
    }
}
