/// A graph lowered for one set of fetches: the instructions the fetches need, in topological
/// order, which the optimisation passes rewrite and the memory planner schedules.
///
/// Passes never touch the user's ``Graph`` (its nodes stay valid handles for feeding and
/// fetching); they rewrite this copy. Every instruction keeps the node it came from, so errors
/// after optimisation still name the user's node and line.
struct Program {
    /// What an instruction computes.
    enum Kind {
        /// A value taken from the feed dictionary (a placeholder, or any node fed by value).
        case feed(Node)
        /// A variable's current value in the session.
        case variable(Int)
        /// A fixed value.
        case constant(NDArray)
        /// A primitive of the core.
        case op(Op)
        /// Identity that prints its input.
        case print(String)
        /// Assigns variables their initial values.
        case initializer([Int])
        /// An optimizer update of variables from the gradients that are its inputs: all of
        /// them (`part` nil), or only the update's variable number `part` (after scheduling).
        case update(OptimizerUpdate, nodeID: Int, part: Int?)
        /// The update of the update's variable number `part` whose gradient is the matrix
        /// product of its first two inputs, computed by the update itself (see ``UpdateFusion``); a
        /// learning-rate node, if any, is the third.
        case productUpdate(OptimizerUpdate, nodeID: Int, part: Int)
        /// Assigns its input's value to a variable, in place.
        case assign(Int)
        /// Runs its inputs for their effects.
        case group
        /// A custom kernel applied to the inputs.
        case custom(CustomKernel)
        /// One call of a custom kernel for several nodes (`members`, in order): the first
        /// `members.count` inputs are concatenated into one flat vector (see ``CustomKernelFusion``).
        case fusedCustom(CustomKernel, members: [Node])
        /// A view of the flat value of its input from element `offset`, with the instruction's shape.
        case slice(offset: Int)
        /// A training value computed from its inputs (a decayed rate, a global norm).
        case training(TrainingFunction)
        /// Adds one to the global step variable after its inputs, a train op's updates, ran (it
        /// takes the place of the train op's group; see ``UpdateScheduling``).
        case incrementGlobalStep(variable: Int)
        /// Runs the sub-graphs of a cond or loop (each compiled into its own program, see
        /// `ControlFlowStep`); its value is a bundle of outputs.
        case controlFlow(ControlFlow)
        /// Output `index` of the control-flow instruction it reads.
        case output(Int)
    }

    /// One step of the program.
    struct Instruction {
        var kind: Kind
        var inputs: [Int]
        /// The graph node it computes (or, after fusion, the last node of the fused group).
        var origin: Node
        /// The static shape (`unknownDim` for run-time dims).
        var shape: [Int]

        var op: Op? {
            if case .op(let op) = kind { return op }
            return nil
        }
        var constantValue: NDArray? {
            if case .constant(let value) = kind { return value }
            return nil
        }
    }

    var instructions: [Instruction]
    /// The instruction computing each fetch.
    var outputs: [Int]
    /// Which graph nodes (by id) the fetches need, as lowered: fed nodes count, their inputs do not.
    let neededNodes: [Bool]

    /// Lowers the part of `graph` that `fetches` need; fed nodes become feed instructions and
    /// their inputs are not needed. Throws the shape error of a poisoned node on the path.
    init(graph: Graph, fetches: [Node], fed: Set<Node>) throws(TandemError) {
        var needed = [Bool](repeating: false, count: graph.nodes.count)
        var stack = fetches
        while let node = stack.popLast() {
            if needed[node.id] { continue }
            needed[node.id] = true
            if !fed.contains(node) { stack.append(contentsOf: node.inputs) }
        }
        neededNodes = needed
        var index = [Int](repeating: -1, count: graph.nodes.count)
        var instructions: [Instruction] = []
        for node in graph.nodes where needed[node.id] {
            if case .identity = node.kind, !fed.contains(node) {
                // A name for its input's value: no instruction, reads go to the input's.
                index[node.id] = index[node.inputs[0].id]
                continue
            }
            let kind: Kind
            if fed.contains(node) {
                kind = .feed(node)
            } else {
                if let poison = node.poison { throw poison }
                switch node.kind {
                case .placeholder, .labelsPlaceholder: kind = .feed(node)
                case .constant(let value): kind = .constant(value)
                case .variable(let v): kind = .variable(v)
                case .primitive(let op): kind = .op(op)
                case .print(let message): kind = .print(message)
                case .identity: preconditionFailure("identity nodes are lowered to their input")
                case .initializer(let variables): kind = .initializer(variables)
                case .update(let update): kind = .update(update, nodeID: node.id, part: nil)
                case .assign(let variable): kind = .assign(variable)
                case .group: kind = .group
                case .custom(let kernel): kind = .custom(kernel)
                case .training(let function): kind = .training(function)
                case .controlFlow(let flow): kind = .controlFlow(flow)
                case .output(let index): kind = .output(index)
                case .argument:
                    throw TandemError.graph(
                        node: node.name,
                        reason: "is an argument of the \(node.frame.map { "\($0)" } ?? "sub-graph") and has a value only "
                            + "while that runs",
                        location: node.location)
                }
            }
            let inputs: [Int]
            if case .feed = kind { inputs = [] } else { inputs = node.inputs.map { index[$0.id] } }
            index[node.id] = instructions.count
            instructions.append(Instruction(kind: kind, inputs: inputs, origin: node, shape: node.staticShape))
        }
        self.instructions = instructions
        self.outputs = fetches.map { index[$0.id] }
    }

    /// For each instruction, how many live instructions read its value (shape-only reads
    /// excluded) plus one if it is fetched. Instructions no output needs any more (a duplicate
    /// left behind by common-subexpression elimination, say) are not counted: their reads would
    /// otherwise keep a value from being fused.
    func valueUseCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: instructions.count)
        let live = liveInstructions()
        for (i, instruction) in instructions.enumerated() where live[i] {
            let shapeOnly = instruction.op?.shapeOnlyInputs ?? []
            for (position, input) in instruction.inputs.enumerated() where !shapeOnly.contains(position) {
                counts[input] += 1
            }
        }
        for output in outputs { counts[output] += 1 }
        return counts
    }

    /// Replaces every read of instruction `i` by a read of `forward[i]` (a table built by a pass,
    /// followed transitively), in inputs and in outputs.
    mutating func applyRedirects(_ forward: [Int]) {
        func resolve(_ i: Int) -> Int {
            var j = i
            while forward[j] != j { j = forward[j] }
            return j
        }
        for i in instructions.indices {
            instructions[i].inputs = instructions[i].inputs.map(resolve)
        }
        outputs = outputs.map(resolve)
    }

    /// Whether each instruction is needed by an output (directly or through other instructions).
    func liveInstructions() -> [Bool] {
        var live = [Bool](repeating: false, count: instructions.count)
        var stack = outputs
        while let i = stack.popLast() {
            if live[i] { continue }
            live[i] = true
            stack.append(contentsOf: instructions[i].inputs)
        }
        return live
    }

    /// Keeps only the instructions the outputs need, renumbered (dead-code elimination).
    mutating func removeUnreachable() {
        keep(liveInstructions())
    }

    /// Removes the instructions in `dead`, which nothing may read any more, renumbering the rest.
    mutating func remove(_ dead: Set<Int>) {
        keep(instructions.indices.map { !dead.contains($0) })
    }

    /// Keeps the instructions marked `live`, renumbered; no kept instruction may read a dropped one.
    private mutating func keep(_ live: [Bool]) {
        var renumber = [Int](repeating: -1, count: instructions.count)
        var kept: [Instruction] = []
        for (i, instruction) in instructions.enumerated() where live[i] {
            renumber[i] = kept.count
            var copy = instruction
            copy.inputs = copy.inputs.map { renumber[$0] }
            kept.append(copy)
        }
        instructions = kept
        outputs = outputs.map { renumber[$0] }
    }
}
