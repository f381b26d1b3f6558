import Foundation

/// The per-session state of one optimizer train op: momentum buffers, Adam moments, step count.
final class OptimizerSlots {
    var momentum: [NDArray?]
    var m: [NDArray?]
    var v: [NDArray?]
    /// Steps taken, per variable (each variable's update may run at its own point of a run).
    var steps: [Int]

    init(count: Int) {
        steps = Array(repeating: 0, count: count)
        momentum = Array(repeating: nil, count: count)
        m = Array(repeating: nil, count: count)
        v = Array(repeating: nil, count: count)
    }
}

/// A compiled set of fetches: the optimised program, its steps with integer slots, and the
/// memory plan. Built once per (fetches, fed nodes) and reused by every later run.
final class ExecutionPlan {
    enum Action {
        case feed(Node, isLabels: Bool)
        case variable(Int)
        case constant(NDArray)
        case op(Op, mayReuse: Bool)
        case print(String)
        case initializer([Int])
        case update(OptimizerUpdate, OptimizerSlots, part: Int?)
        case productUpdate(OptimizerUpdate, OptimizerSlots, part: Int)
        case assign(Int)
        case group
        case custom(CustomKernel, members: [Node]?)
        case slice(offset: Int, shape: [Int])
        case training(TrainingFunction)
        case incrementGlobalStep(variable: Int)
        /// A sub-graph plan's input `k` (a loop variable, a capture, a replayed value).
        case argument(Int)
        case controlFlow(ControlFlowStep)
        /// Output `k` of the control-flow step it reads.
        case output(Int)
    }

    struct Step {
        let action: Action
        let inputs: [Int]
        let node: Node
    }

    /// The optimised program the steps were made from (for DOT export and inspection).
    let program: Program
    let steps: [Step]
    let memoryPlan: MemoryPlan
    let releaseAfter: [[Int]]
    let outputs: [Int]
    /// Each step's output size in the last run.
    private var counts: [Int]
    /// The sizes the buffers were assigned for (a change, such as a smaller batch, re-plans).
    private var plannedCounts: [Int] = []
    /// Each step's buffer in `buffers` (-1: allocate).
    private var assignment: [Int]
    /// The plan's buffers, shared by steps whose values do not live at the same time.
    private var buffers: [Storage] = []
    private var slots: [NDArray?]
    /// The bundles control-flow steps produced this run (nil for every other step).
    private var results: [ControlFlowResult?]
    private let hasControlFlow: Bool

    /// A shared empty value returned by effect nodes (train ops, initializers, groups).
    static let empty = NDArray(zeros: [0])

    /// Compiles a program; the sub-graphs of its control-flow instructions are compiled too,
    /// each with `passes`.
    ///
    /// - Parameters:
    ///   - arguments: for a sub-graph's plan, the nodes fed by position (`run(session:feed:arguments:)`).
    ///   - recording: control-flow nodes that must record their values even though no gradient in
    ///     this program reads them (an enclosing loop saves their records).
    init(
        program: Program, arguments: [Node] = [], recording: Set<Int> = [], passes: GraphOptimizer.Options = .all,
        slotsFor: (OptimizerUpdate, Int) -> OptimizerSlots
    ) throws(TandemError) {
        self.program = program
        let argumentIndex = Dictionary(arguments.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let records = ControlFlowStep.recordingInstructions(in: program, alsoRecording: recording)
        var steps: [Step] = []
        for (i, instruction) in program.instructions.enumerated() {
            let action: Action
            switch instruction.kind {
            case .feed(let node):
                if let k = argumentIndex[node] {
                    action = .argument(k)
                } else if case .labelsPlaceholder = node.kind { action = .feed(node, isLabels: true) } else { action = .feed(node, isLabels: false) }
            case .variable(let v): action = .variable(v)
            case .constant(let value): action = .constant(value)
            case .op(let op): action = .op(op, mayReuse: !op.mayAliasInput)
            case .print(let message): action = .print(message)
            case .initializer(let variables): action = .initializer(variables)
            case .update(let update, let id, let part): action = .update(update, slotsFor(update, id), part: part)
            case .productUpdate(let update, let id, let part): action = .productUpdate(update, slotsFor(update, id), part: part)
            case .assign(let variable): action = .assign(variable)
            case .group: action = .group
            case .custom(let kernel): action = .custom(kernel, members: nil)
            case .fusedCustom(let kernel, let members): action = .custom(kernel, members: members)
            case .slice(let offset): action = .slice(offset: offset, shape: instruction.shape)
            case .training(let function): action = .training(function)
            case .incrementGlobalStep(let v): action = .incrementGlobalStep(variable: v)
            case .controlFlow(let flow):
                action = .controlFlow(try ControlFlowStep(
                    flow, instruction: i, in: program, records: records.contains(i), passes: passes))
            case .output(let k): action = .output(k)
            }
            steps.append(Step(action: action, inputs: instruction.inputs, node: instruction.origin))
        }
        self.steps = steps
        hasControlFlow = steps.contains { if case .controlFlow = $0.action { return true } else { return false } }
        memoryPlan = MemoryPlan(program)
        releaseAfter = memoryPlan.releaseAfter
        outputs = program.outputs
        counts = Array(repeating: -1, count: program.instructions.count)
        assignment = Array(repeating: -1, count: program.instructions.count)
        slots = Array(repeating: nil, count: program.instructions.count)
        results = Array(repeating: nil, count: hasControlFlow ? program.instructions.count : 0)
    }

    /// The bytes held by the plan's buffers (and by its control-flow steps' sub-graph plans).
    var plannedBytes: Int {
        let own = buffers.reduce(0) { $0 + $1.capacity * MemoryLayout<Float>.stride }
        return steps.reduce(own) { total, step in
            guard case .controlFlow(let flowStep) = step.action else { return total }
            return total + flowStep.subGraphs.reduce(0) { $0 + $1.plan.plannedBytes }
        }
    }

    /// Re-assigns buffers when the sizes seen in the last run differ from those planned for.
    private func replanIfNeeded(reuseBuffers: Bool) {
        guard reuseBuffers else {
            if !buffers.isEmpty { buffers = []; assignment = assignment.map { _ in -1 } }
            return
        }
        guard counts != plannedCounts else { return }
        plannedCounts = counts
        let (assigned, capacities) = memoryPlan.assignBuffers(counts: counts)
        buffers = []
        buffers = capacities.map { Storage(capacity: $0) }
        assignment = assigned
    }

    /// Whether step `i` may write its output over `buffer` although an input still holds it: the
    /// step is elementwise, and the holder is an input of the same size (not a view) that this
    /// step reads for the last time, which the memory plan arranged on purpose.
    private func isConsumedInPlace(_ buffer: Storage, by i: Int, inputs: [NDArray]) -> Bool {
        guard case .op(let op, _) = steps[i].action, op.isElementwise else { return false }
        for (k, input) in inputs.enumerated() where input.storage === buffer {
            let j = steps[i].inputs[k]
            guard releaseAfter[i].contains(j), input.isContiguous, input.offset == 0, input.count == counts[i] else { return false }
            return true
        }
        return false
    }

    /// Runs every step in order and returns the fetched values.
    func execute(session: Session, feed: [Node: NDArray]) throws(TandemError) -> [NDArray] {
        try run(session: session, feed: feed, arguments: []).map(\.array)
    }

    /// Runs every step in order, with `arguments` for the plan's argument steps (a sub-graph's
    /// inputs), and returns the fetched values, bundles included.
    func run(session: Session, feed: [Node: NDArray], arguments: [RunValue]) throws(TandemError) -> [RunValue] {
        let checkNumerics = session.options.checkNumerics
        let reuseBuffers = session.options.reuseBuffers
        defer {
            // Whatever happened, drop every value the run still holds, then fit the buffers to
            // the sizes this run saw (a no-op in steady state).
            for i in slots.indices { slots[i] = nil }
            for i in results.indices { results[i] = nil }
            replanIfNeeded(reuseBuffers: reuseBuffers)
        }
        for i in steps.indices {
            let step = steps[i]
            let value: NDArray
            switch step.action {
            case .op(let op, let mayReuse):
                var inputs: [NDArray] = []
                inputs.reserveCapacity(step.inputs.count)
                for s in step.inputs { inputs.append(slots[s]!) }
                var reuse: Storage? = nil
                let b = assignment[i]
                // The plan guarantees the buffer's last tenant is dead; the uniqueness check
                // (only the plan holds it) makes that a certainty, not a hope.
                if b >= 0, mayReuse {
                    if isKnownUniquelyReferenced(&buffers[b]) {
                        reuse = buffers[b]
                    } else if isConsumedInPlace(buffers[b], by: i, inputs: inputs) {
                        reuse = buffers[b]
                    }
                }
                do {
                    value = try op.evaluate(inputs, at: step.node.location, reusing: reuse)
                } catch {
                    throw Session.error(error, at: step.node)
                }
                counts[i] = mayReuse ? value.count : -1
                if checkNumerics && !OptimizerKernels.isFinite(value) {
                    throw Session.error(
                        at: step.node,
                        "\(op.name) produced NaN or Inf (check numerics); input shapes "
                            + inputs.map { formatShape($0.shape) }.joined(separator: ", "))
                }
            case .feed(let node, let isLabels):
                guard let fed = feed[node] ?? node.graph.placeholderDefaults[node.id] else {
                    throw Session.error(at: node, "\(node.kindName) '\(node.name)' needs a value: add it to the feed dictionary")
                }
                try Session.validateFeed(fed, for: node, isLabels: isLabels)
                value = fed
            case .variable(let v):
                guard let current = session.variableValues[v] else { throw Session.uninitialized(step.node) }
                value = current
            case .constant(let constant):
                value = constant
            case .print(let message):
                value = slots[step.inputs[0]]!
                Swift.print("\(message)\(value)")
                if checkNumerics && !OptimizerKernels.isFinite(value) {
                    throw Session.error(at: step.node, "print: value is NaN or Inf (check numerics)")
                }
            case .initializer(let variables):
                for v in variables { session.variableValues[v] = session.graph.initialValues[v] }
                value = ExecutionPlan.empty
            case .update(let update, let state, let part):
                // A learning-rate node is the last input, after the gradients.
                let gradientCount = step.inputs.count - (update.learningRateIsInput ? 1 : 0)
                let lr = update.learningRate(input: update.learningRateIsInput ? slots[step.inputs.last!]! : nil)
                let gradients = step.inputs.prefix(gradientCount).map { slots[$0]! }
                try session.apply(
                    update, state: state, gradients: gradients, parts: part.map { $0..<$0 + 1 } ?? 0..<update.variables.count,
                    learningRate: lr, at: step.node)
                if part == nil, let v = update.globalStep { try session.incrementGlobalStep(v, at: step.node) }
                value = ExecutionPlan.empty
            case .productUpdate(let update, let state, let part):
                let lr = update.learningRate(input: update.learningRateIsInput ? slots[step.inputs[2]]! : nil)
                try session.applyProduct(
                    update, state: state, a: slots[step.inputs[0]]!, b: slots[step.inputs[1]]!, part: part, learningRate: lr,
                    at: step.node)
                value = ExecutionPlan.empty
            case .assign(let variable):
                try session.assign(slots[step.inputs[0]]!, toVariable: variable, at: step.node)
                value = ExecutionPlan.empty
            case .group:
                value = ExecutionPlan.empty
            case .custom(let kernel, let members):
                value = try runCustom(kernel, members: members, step: step)
            case .slice(let offset, let shape):
                let flat = slots[step.inputs[0]]!
                value = NDArray(storage: flat.storage, shape: shape, strides: contiguousStrides(shape), offset: flat.offset + offset)
            case .training(let function):
                value = function.evaluate(step.inputs.map { slots[$0]! })
                if checkNumerics && !OptimizerKernels.isFinite(value) {
                    throw Session.error(at: step.node, "\(function.name) produced NaN or Inf (check numerics)")
                }
            case .incrementGlobalStep(let v):
                try session.incrementGlobalStep(v, at: step.node)
                value = ExecutionPlan.empty
            case .argument(let k):
                switch arguments[k] {
                case .array(let array): value = array
                case .bundle(let bundle):
                    results[i] = bundle
                    value = ExecutionPlan.empty
                }
            case .controlFlow(let flowStep):
                let inputs = step.inputs.map { j in results[j].map(RunValue.bundle) ?? .array(slots[j]!) }
                results[i] = try flowStep.run(inputs, session: session)
                value = ExecutionPlan.empty
            case .output(let k):
                value = results[step.inputs[0]]!.outputs[k]
            }
            slots[i] = value
            for r in releaseAfter[i] { slots[r] = nil }
            if hasControlFlow { for r in releaseAfter[i] { results[r] = nil } }
        }
        return outputs.map { o in results.isEmpty ? .array(slots[o]!) : results[o].map(RunValue.bundle) ?? .array(slots[o]!) }
    }

    /// Runs a custom kernel on its inputs; a fused call gets its members' first inputs packed
    /// into one flat vector (the slices after it split the result again).
    private func runCustom(_ kernel: CustomKernel, members: [Node]?, step: Step) throws(TandemError) -> NDArray {
        var inputs = step.inputs.map { slots[$0]! }
        if let members {
            let packed = inputs.prefix(members.count)
            var flat = NDArray(uninitializedShape: [packed.reduce(0) { $0 + $1.count }])
            flat.withUnsafeMutableBufferPointer { target in
                var position = 0
                for part in packed {
                    let part = part.contiguous()
                    part.withUnsafeBufferPointer { source in
                        (target.baseAddress! + position).update(from: source.baseAddress!, count: source.count)
                    }
                    position += part.count
                }
            }
            inputs = [flat] + inputs.dropFirst(members.count)
        }
        do {
            let value = try kernel.evaluate(inputs, nodes: members ?? [step.node])
            let expected = members == nil ? step.node.staticShape : [inputs[0].count]
            let fits = value.rank == expected.count && zip(value.shape, expected).allSatisfy { $1 == unknownDim || $0 == $1 }
            guard fits else {
                throw Session.error(
                    at: step.node, "\(kernel.name) returned a value of shape \(formatShape(value.shape)) for a node of shape "
                        + formatShape(step.node.shape))
            }
            return value.contiguous()
        } catch let error as TandemError {
            if case .graph = error { throw error }
            throw Session.error(error, at: step.node)
        } catch {
            throw Session.error(at: step.node, "\(kernel.name) failed: \(error)")
        }
    }
}
