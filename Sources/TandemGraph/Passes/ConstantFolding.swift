/// Evaluates, once at plan time, every op whose inputs are all constants, replacing it with a
/// constant. Stateful ops (dropout masks) are never folded, and neither is anything reading a
/// variable or a placeholder. An op that fails here is left alone so the run reports the error
/// at its node.
///
/// Then a multiply, add or subtract of a one-element constant (folded or written so) becomes
/// the unary `mulScalar` / `addScalar`, when the constant does not change the other operand's
/// shape: a unary op can join a chain of elementwise ops that fusion turns into one pass, a
/// binary op cannot. The values are identical (`x - c` is `x + (-c)` exactly in IEEE arithmetic).
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
        useScalarOps(&program)
    }

    /// `x * c`, `c * x`, `x + c`, `c + x`, `x - c` -> `mulScalar(c)` / `addScalar(±c)` of x.
    private static func useScalarOps(_ program: inout Program) {
        for i in program.instructions.indices {
            guard let op = program.instructions[i].op, op == .mul || op == .add || op == .sub else { continue }
            let inputs = program.instructions[i].inputs
            /// The value of `c` if it is a one-element constant that broadcasts to `other`'s shape.
            func scalar(_ c: Int, against other: Int) -> Float? {
                guard let value = program.instructions[c].constantValue, value.count == 1 else { return nil }
                let shape = program.instructions[other].shape
                guard (try? broadcastShapes(shape, value.shape)) == shape else { return nil }
                return value.scalar
            }
            var rewritten: (Op, Int)?
            switch op {
            case .mul:
                if let c = scalar(inputs[1], against: inputs[0]) {
                    rewritten = (.mulScalar(c), inputs[0])
                } else if let c = scalar(inputs[0], against: inputs[1]) {
                    rewritten = (.mulScalar(c), inputs[1])
                }
            case .add:
                if let c = scalar(inputs[1], against: inputs[0]) {
                    rewritten = (.addScalar(c), inputs[0])
                } else if let c = scalar(inputs[0], against: inputs[1]) {
                    rewritten = (.addScalar(c), inputs[1])
                }
            default:
                if let c = scalar(inputs[1], against: inputs[0]) { rewritten = (.addScalar(-c), inputs[0]) }
            }
            guard let (scalarOp, x) = rewritten else { continue }
            program.instructions[i].kind = .op(scalarOp)
            program.instructions[i].inputs = [x]
        }
    }
}
