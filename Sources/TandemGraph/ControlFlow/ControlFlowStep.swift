/// A sub-graph compiled for one control-flow step: its plan, and where each of its arguments
/// comes from.
struct CompiledSubGraph {
    let subGraph: SubGraph
    let plan: ExecutionPlan
    /// For each capture, its position among the step's inputs.
    let capturePositions: [Int]
    /// For each saved value (a backward sub-graph), its position in the forward's record.
    let savedPositions: [Int]
    /// How many of the plan's outputs are results; the rest are recorded values.
    let resultCount: Int
}

/// Runs a control-flow instruction: the cond's selected branch, or the loop's iterations, each
/// sub-graph a compiled plan of its own (optimised, with its own memory plan, reused every
/// iteration).
final class ControlFlowStep {
    let flow: ControlFlow
    let node: Node
    let subGraphs: [CompiledSubGraph]
    /// Whether this step records its values for a gradient that runs later in the same run.
    let records: Bool

    /// Compiles instruction `index` of `program`: each sub-graph is lowered from the graph,
    /// given the values of constant captures (so folding works inside it), optimised with
    /// `passes` and planned.
    init(_ flow: ControlFlow, instruction index: Int, in program: Program, records: Bool, passes: GraphOptimizer.Options)
        throws(TandemError)
    {
        let node = program.instructions[index].origin
        self.flow = flow
        self.node = node
        self.records = records
        var compiled: [CompiledSubGraph] = []
        for subGraph in flow.subGraphs {
            let lowered = try ControlFlowStep.lower(subGraph, instruction: index, in: program, records: records, passes: passes)
            let nested = Set(lowered.recorded.filter { if case .controlFlow = $0.kind { return true } else { return false } }.map(\.id))
            let plan = try ExecutionPlan(
                program: lowered.program, arguments: lowered.arguments, recording: nested, passes: passes,
                slotsFor: { update, _ in OptimizerSlots(count: update.variables.count) })
            let captureInputs = Array(node.inputs[flow.leadingInputCount...])
            let forwardRecord = subGraph.forward?.recordedNodes ?? []
            compiled.append(CompiledSubGraph(
                subGraph: subGraph, plan: plan,
                capturePositions: subGraph.captures.map { flow.leadingInputCount + captureInputs.firstIndex(of: $0)! },
                savedPositions: subGraph.saved.map { forwardRecord.firstIndex(of: $0)! },
                resultCount: subGraph.results.count))
        }
        subGraphs = compiled
    }

    /// Lowers a sub-graph of control-flow instruction `index` of `program` into a program of its
    /// own: its results (plus, when the instruction records, the values its gradients replay)
    /// computed from its arguments, captures and saved values, fed by position in that order.
    /// A capture that is a constant in `program` becomes a constant inside, so folding works
    /// there too; then `passes` (if any) optimise it.
    static func lower(
        _ subGraph: SubGraph, instruction index: Int, in program: Program, records: Bool, passes: GraphOptimizer.Options?
    ) throws(TandemError) -> (program: Program, arguments: [Node], recorded: [Node]) {
        let instruction = program.instructions[index]
        let node = instruction.origin
        guard case .controlFlow(let flow) = instruction.kind else { preconditionFailure("not a control-flow instruction") }
        var constants: [Node: NDArray] = [:]
        for (position, input) in instruction.inputs.enumerated() where position >= flow.leadingInputCount {
            if let value = program.instructions[input].constantValue { constants[node.inputs[position]] = value }
        }
        let recorded = records && flow.differentiableSubGraphs.contains { $0 === subGraph } ? subGraph.recordedNodes : []
        let arguments = subGraph.arguments + subGraph.captures + subGraph.saved
        var lowered = try Program(graph: node.graph, fetches: subGraph.results + recorded, fed: Set(arguments))
        for i in lowered.instructions.indices {
            if case .feed(let fed) = lowered.instructions[i].kind, let value = constants[fed] {
                lowered.instructions[i].kind = .constant(value)
            }
        }
        warnAboutPrintsOffThePath(in: subGraph, needed: lowered.neededNodes)
        if let passes { GraphOptimizer.optimize(&lowered, options: passes) }
        return (lowered, arguments, recorded)
    }

    /// The tf.Print trap inside a branch or body: a print node whose input the sub-graph computes
    /// but whose result no result depends on prints nothing (see `Session+PrintCheck.swift`).
    private static func warnAboutPrintsOffThePath(in subGraph: SubGraph, needed: [Bool]) {
        guard let graph = subGraph.nodes.first?.graph else { return }
        for node in subGraph.nodes where !needed[node.id] && !graph.reportedPrints.contains(node.id) {
            guard case .print = node.kind, let input = node.inputs.first, needed[input.id] || input.frame !== subGraph else { continue }
            graph.reportedPrints.insert(node.id)
            graph.warn(
                "print node '\(node.name)' at \(node.location.map { "\($0)" } ?? "an unknown line") in the \(subGraph) prints "
                    + "nothing: no result of the \(subGraph.role.rawValue) depends on it. Use its result in place of its input "
                    + "(tf.Print has the same trap).")
        }
    }

    /// The control-flow instructions of `program` that must record: those a gradient
    /// instruction of the same program reads, and those whose node is in `alsoRecording`.
    static func recordingInstructions(in program: Program, alsoRecording: Set<Int>) -> Set<Int> {
        var records = Set<Int>()
        for (i, instruction) in program.instructions.enumerated() {
            guard case .controlFlow(let flow) = instruction.kind else { continue }
            if alsoRecording.contains(instruction.origin.id) { records.insert(i) }
            if flow.isGradient { records.insert(instruction.inputs[0]) }
        }
        return records
    }

    // MARK: Running

    /// Runs the step on its inputs' values.
    func run(_ inputs: [RunValue], session: Session) throws(TandemError) -> ControlFlowResult {
        switch flow.construct {
        case .cond: return try runCond(inputs, session: session)
        case .whileLoop: return try runLoop(inputs, session: session)
        case .condGradient: return try runCondGradient(inputs, session: session)
        case .whileGradient: return try runLoopGradient(inputs, session: session)
        }
    }

    private func runCond(_ inputs: [RunValue], session: Session) throws(TandemError) -> ControlFlowResult {
        let taken = try isTrue(inputs[0].array, what: "predicate") ? 0 : 1
        let branch = subGraphs[taken]
        let values = try run(branch, arguments: captures(of: branch, in: inputs), session: session, context: nil)
        let record = records ? ControlFlowRecord(branch: taken) : nil
        record?.iterations.append(Array(values[branch.resultCount...]))
        return ControlFlowResult(outputs: values.prefix(branch.resultCount).map(\.array), record: record)
    }

    private func runLoop(_ inputs: [RunValue], session: Session) throws(TandemError) -> ControlFlowResult {
        let condition = subGraphs[0], body = subGraphs[1]
        let n = flow.leadingInputCount
        var values = inputs.prefix(n).map(\.array)
        let conditionCaptures = captures(of: condition, in: inputs), bodyCaptures = captures(of: body, in: inputs)
        let record = records ? ControlFlowRecord(branch: 0) : nil
        var iteration = 0
        while flow.maximumIterations.map({ iteration < $0 }) ?? true {
            let go = try run(condition, arguments: values.map(RunValue.array) + conditionCaptures, session: session,
                             context: iteration)
            guard try isTrue(go[0].array, what: "condition") else { break }
            let next = try run(body, arguments: values.map(RunValue.array) + bodyCaptures, session: session, context: iteration)
            for j in 0..<n where next[j].array.shape != values[j].shape {
                throw shapeChange(of: j, from: values[j].shape, to: next[j].array.shape, iteration: iteration)
            }
            record?.iterations.append(Array(next[n...]))
            values = next.prefix(n).map(\.array)
            iteration += 1
        }
        return ControlFlowResult(outputs: values, record: record)
    }

    private func runCondGradient(_ inputs: [RunValue], session: Session) throws(TandemError) -> ControlFlowResult {
        let record = try forwardRecord(inputs[0])
        let branch = subGraphs[record.branch]
        let seeds = Array(inputs[1..<flow.leadingInputCount])
        let saved = branch.savedPositions.map { record.iterations[0][$0] }
        let values = try run(branch, arguments: seeds + captures(of: branch, in: inputs) + saved, session: session, context: nil)
        return ControlFlowResult(outputs: values.map(\.array), record: nil)
    }

    private func runLoopGradient(_ inputs: [RunValue], session: Session) throws(TandemError) -> ControlFlowResult {
        let record = try forwardRecord(inputs[0])
        let body = subGraphs[0]
        var values = Array(inputs[1..<flow.leadingInputCount])
        let bodyCaptures = captures(of: body, in: inputs)
        // The forward iterations in reverse, each differentiated at the values it recorded.
        for t in record.iterations.indices.reversed() {
            let saved = body.savedPositions.map { record.iterations[t][$0] }
            values = try run(body, arguments: values + bodyCaptures + saved, session: session, context: t)
        }
        return ControlFlowResult(outputs: values.map(\.array), record: nil)
    }

    // MARK: Helpers

    private func captures(of subGraph: CompiledSubGraph, in inputs: [RunValue]) -> [RunValue] {
        subGraph.capturePositions.map { inputs[$0] }
    }

    /// Runs a sub-graph's plan; an error inside says which control-flow node (and iteration) ran it.
    private func run(_ subGraph: CompiledSubGraph, arguments: [RunValue], session: Session, context iteration: Int?)
        throws(TandemError) -> [RunValue]
    {
        do {
            return try subGraph.plan.run(session: session, feed: [:], arguments: arguments)
        } catch {
            guard case let .graph(name, reason, location) = error else { throw error }
            let within = iteration.map { " in iteration \($0)" } ?? ""
            throw TandemError.graph(
                node: name, reason: "\(reason) [\(subGraph.subGraph)\(within)]", location: location)
        }
    }

    private func isTrue(_ value: NDArray, what: String) throws(TandemError) -> Bool {
        guard value.count == 1 else {
            throw Session.error(at: node, "the \(what) must be a single value, got shape \(formatShape(value.shape))")
        }
        return value.scalar != 0
    }

    private func forwardRecord(_ input: RunValue) throws(TandemError) -> ControlFlowRecord {
        guard case .bundle(let forward) = input, let record = forward.record else {
            throw Session.error(at: node, "internal error: the forward \(flow.construct.rawValue) left no record for its gradient")
        }
        return record
    }

    /// The error for a loop variable whose shape changed between iterations: names the loop
    /// variable, the body's result and both lines.
    private func shapeChange(of j: Int, from old: [Int], to new: [Int], iteration: Int) -> TandemError {
        let start = node.inputs[j], result = subGraphs[1].subGraph.results[j]
        return Session.error(
            at: node,
            "loop variable \(j) ('\(start.name)', \(start.originDescription)) changed shape from \(formatShape(old)) to "
                + "\(formatShape(new)) in iteration \(iteration): the body returns it from '\(result.name)' "
                + "(\(result.originDescription)). A loop variable must keep its shape in every iteration "
                + "(pad it to a fixed size, or collect per-step values outside the loop)")
    }
}
