/// Fuses ops into the core's fused primitives, so one kernel makes one pass over memory:
///
/// - `matmul(x, w) + b` (x and w matrices, b a vector) becomes `linear(x, w, b)` with Keras'
///   `[in, out]` weight (`transposedWeight: false`);
/// - a `linear` followed by relu, sigmoid or tanh becomes a `linear` with that activation;
/// - chains of unary elementwise ops become one `fusedElementwise`.
///
/// Each fused kernel is a primitive with its own gradient rule; the backward nodes already in
/// the graph stay as they are. An intermediate is fused away only when nothing else reads its
/// value. Two facts make that common in training graphs: relu's gradient rule reads the relu's
/// output, not the pre-activation (`Op.gradientReadsOutput`), so a `matmul + bias` feeding a relu
/// has no other reader; and reads of an intermediate that use only its shape (the bias add's
/// `reduceLike`, `Op.shapeOnlyInputs`) move to the fused output, which has the same shape.
enum Fusion {
    static func run(_ program: inout Program) {
        fuseLinear(&program)
        fuseElementwiseChains(&program)
    }

    private static func fuseLinear(_ program: inout Program) {
        let outputs = Set(program.outputs)
        var uses = program.valueUseCounts()
        // Instructions no output needs (duplicates left by CSE, `x * 1` redirected by
        // simplification) must not fuse: they would take a value from its live reader.
        let live = program.liveInstructions()
        for i in program.instructions.indices where live[i] {
            let instruction = program.instructions[i]
            guard let op = instruction.op else { continue }
            switch op {
            case .add:
                // matmul(x, w) + b  ->  linear(x, w, b)
                for (mPos, bPos) in [(0, 1), (1, 0)] {
                    let m = instruction.inputs[mPos], b = instruction.inputs[bPos]
                    let mm = program.instructions[m], bias = program.instructions[b]
                    guard mm.op == .matmul, uses[m] == 1, !outputs.contains(m), bias.shape.count == 1 else { continue }
                    let x = program.instructions[mm.inputs[0]], w = program.instructions[mm.inputs[1]]
                    guard x.shape.count == 2, w.shape.count == 2, bias.shape[0] == w.shape[1],
                          bias.shape[0] != unknownDim, !hasShapeReads(of: m, before: i, in: program)
                    else { continue }
                    program.instructions[i].kind = .op(.linear(transposedWeight: false, activation: .identity))
                    program.instructions[i].inputs = [mm.inputs[0], mm.inputs[1], b]
                    moveShapeReads(of: m, to: i, in: &program)
                    uses[m] = 0
                    break
                }
            case .relu, .sigmoid, .tanh:
                let z = instruction.inputs[0]
                guard case .op(.linear(let transposed, .identity)) = program.instructions[z].kind,
                      uses[z] == 1, !outputs.contains(z), !hasShapeReads(of: z, before: i, in: program)
                else { continue }
                let activation: TandemKernels.Activation = op == .relu ? .relu : op == .sigmoid ? .sigmoid : .tanh
                program.instructions[i].kind = .op(.linear(transposedWeight: transposed, activation: activation))
                program.instructions[i].inputs = program.instructions[z].inputs
                moveShapeReads(of: z, to: i, in: &program)
                uses[z] = 0
            default:
                break
            }
        }
    }

    /// Chains of unary elementwise ops whose intermediates have one reader become one pass.
    private static func fuseElementwiseChains(_ program: inout Program) {
        let outputs = Set(program.outputs)
        var uses = program.valueUseCounts()
        let live = program.liveInstructions()
        for i in program.instructions.indices where live[i] {
            guard let op = program.instructions[i].op, let step = ElementwiseStep(op) else { continue }
            let x = program.instructions[i].inputs[0]
            guard uses[x] == 1, !outputs.contains(x), let inner = program.instructions[x].op,
                  !hasShapeReads(of: x, before: i, in: program)
            else { continue }
            let steps: [ElementwiseStep]
            if case .fusedElementwise(let chain) = inner {
                steps = chain
            } else if let innerStep = ElementwiseStep(inner) {
                steps = [innerStep]
            } else {
                continue
            }
            program.instructions[i].kind = .op(.fusedElementwise(steps + [step]))
            program.instructions[i].inputs = program.instructions[x].inputs
            moveShapeReads(of: x, to: i, in: &program)
            uses[x] = 0
        }
    }

    /// Points shape-only reads of `old` at `new` (same run-time shape), when `new` comes first.
    private static func moveShapeReads(of old: Int, to new: Int, in program: inout Program) {
        for j in program.instructions.indices where j > new {
            guard let op = program.instructions[j].op else { continue }
            for position in op.shapeOnlyInputs where program.instructions[j].inputs[position] == old {
                program.instructions[j].inputs[position] = new
            }
        }
    }

    /// Whether an instruction before `limit` reads `index` for its shape (it could not be moved).
    private static func hasShapeReads(of index: Int, before limit: Int, in program: Program) -> Bool {
        for j in (index + 1)..<limit {
            guard let op = program.instructions[j].op else { continue }
            if op.shapeOnlyInputs.contains(where: { program.instructions[j].inputs[$0] == index }) { return true }
        }
        return false
    }
}
