/// Fuses a weight's gradient GEMM into its SGD update, so the gradient is never stored.
///
/// In a training graph, a weight matrix's gradient is a `matmul` of a transposed view and an
/// activation (the `linear` and `matmul` gradient rules), read by nothing but that variable's
/// optimizer update. This pass gives the update the two factors instead: the update computes
/// `param -= lr * (a · b)` as one GEMM into the parameter (plain SGD), or accumulates the GEMM
/// into the momentum buffer (`buf = momentum * buf + a · b`) and then moves the parameter, with
/// `OptimizerKernels.sgd(param:productOf:and:...)`. The weight-gradient buffer, the largest
/// value of a training step after the weights, is then never allocated, and the gradient is not
/// written to memory and read back.
///
/// It runs after ``UpdateScheduling`` (on the per-variable updates). Only SGD updates are fused
/// (Adam reads the gradient twice, for both moments); a gradient that is fetched, read by
/// anything else, or summed from several uses of the weight keeps the unfused path. A
/// `reduceLike` that changes nothing (the plain `matmul` rule's, between two matrices) is looked
/// through.
enum UpdateFusion {
    static func run(_ program: inout Program) {
        let uses = program.valueUseCounts()
        let outputs = Set(program.outputs)
        var shapeRead = Set<Int>()
        for instruction in program.instructions {
            guard let op = instruction.op else { continue }
            for position in op.shapeOnlyInputs { shapeRead.insert(instruction.inputs[position]) }
        }
        /// Whether instruction `j`'s value is read by exactly one instruction and nothing else.
        func readOnlyOnce(_ j: Int) -> Bool { uses[j] == 1 && !outputs.contains(j) && !shapeRead.contains(j) }

        var dead = Set<Int>()
        for i in program.instructions.indices {
            // Nesterov's update reads the gradient again after the buffer, so it is not fused.
            guard case .update(let update, let id, let part?) = program.instructions[i].kind,
                  case .sgd(_, _, false) = update.rule
            else { continue }
            var gradient = program.instructions[i].inputs[0]
            guard readOnlyOnce(gradient) else { continue }
            var absorbed = [gradient]
            if program.instructions[gradient].op == .reduceLike {
                // reduceLike(product, w) sums nothing when both are the same known shape.
                let product = program.instructions[gradient].inputs[0]
                let shape = program.instructions[gradient].shape
                guard program.instructions[product].shape == shape, !shape.contains(unknownDim), readOnlyOnce(product)
                else { continue }
                gradient = product
                absorbed.append(product)
            }
            let matmul = program.instructions[gradient]
            guard matmul.op == .matmul,
                  program.instructions[matmul.inputs[0]].shape.count == 2,
                  program.instructions[matmul.inputs[1]].shape.count == 2
            else { continue }
            program.instructions[i].kind = .productUpdate(update, nodeID: id, part: part)
            // The learning rate, when it is a node, stays the last input.
            program.instructions[i].inputs = matmul.inputs + program.instructions[i].inputs.dropFirst()
            dead.formUnion(absorbed)
        }
        if !dead.isEmpty { program.remove(dead) }
    }
}
