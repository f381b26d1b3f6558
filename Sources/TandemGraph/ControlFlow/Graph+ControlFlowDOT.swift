extension Graph {
    /// The drawings of the sub-graphs of `program`'s control-flow instructions, lowered from the
    /// graph (optimised with `passes` when given), nested ones included.
    static func drawings(of program: Program, passes: GraphOptimizer.Options?) -> (Int, Int) throws(TandemError) -> SubGraphDrawing? {
        { (instruction: Int, k: Int) throws(TandemError) -> SubGraphDrawing? in
            guard case .controlFlow(let flow) = program.instructions[instruction].kind else { return nil }
            let records = ControlFlowStep.recordingInstructions(in: program, alsoRecording: []).contains(instruction)
            let lowered = try ControlFlowStep.lower(
                flow.subGraphs[k], instruction: instruction, in: program, records: records, passes: passes)
            return SubGraphDrawing(program: lowered.program, nested: drawings(of: lowered.program, passes: passes))
        }
    }

    /// The drawings of the sub-graphs a compiled plan runs: exactly the programs it executes.
    static func drawings(of plan: ExecutionPlan) -> (Int, Int) throws(TandemError) -> SubGraphDrawing? {
        { (instruction: Int, k: Int) throws(TandemError) -> SubGraphDrawing? in
            guard case .controlFlow(let step) = plan.steps[instruction].action else { return nil }
            let subPlan = step.subGraphs[k].plan
            return SubGraphDrawing(program: subPlan.program, nested: drawings(of: subPlan))
        }
    }
}
