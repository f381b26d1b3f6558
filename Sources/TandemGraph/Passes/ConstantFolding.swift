/// Evaluates, once at plan time, every op whose inputs are all constants, replacing it with a
/// constant. Stateful ops (dropout masks) are never folded, and neither is anything reading a
/// variable or a placeholder. An op that fails here is left alone so the run reports the error
/// at its node.
enum ConstantFolding {
    /// Results larger than this are not folded, to keep plans small.
    static let maximumElements = 1 << 22

    static func run(_ program: inout Program) {
        for i in program.instructions.indices {
            let instruction = program.instructions[i]
            guard let op = instruction.op, !op.isStateful else { continue }
            let values = instruction.inputs.compactMap { program.instructions[$0].constantValue }
            guard values.count == instruction.inputs.count,
                let folded = try? op.evaluate(values, at: instruction.origin.location),
                folded.count <= maximumElements
            else { continue }
            // A folded value must not share storage with another constant: the memory planner
            // never recycles constants, but a standalone copy keeps that obviously true.
            program.instructions[i].kind = .constant(folded.contiguous())
            program.instructions[i].inputs = []
        }
    }
}
