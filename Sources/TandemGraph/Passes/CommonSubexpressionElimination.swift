/// Merges instructions that apply the same op to the same inputs, keeping the first.
///
/// Stateful ops are never merged: two dropout masks must differ.
enum CommonSubexpressionElimination {
    private struct Key: Hashable {
        let op: Op
        let inputs: [Int]
    }

    static func run(_ program: inout Program) {
        var forward = Array(program.instructions.indices)
        var seen: [Key: Int] = [:]
        for i in program.instructions.indices {
            // Earlier merges change this instruction's inputs; resolve them first.
            program.instructions[i].inputs = program.instructions[i].inputs.map { forward[$0] }
            guard let op = program.instructions[i].op, !op.isStateful else { continue }
            let key = Key(op: op, inputs: program.instructions[i].inputs)
            if let first = seen[key] {
                forward[i] = first
            } else {
                seen[key] = i
            }
        }
        program.applyRedirects(forward)
    }
}
