import TandemGraph
import TandemProtos

/// The one table from Tandem's primitives to ONNX (opset 17): each `Op` case becomes one ONNX
/// node or a short fixed sequence of them. The switch is exhaustive, so a new primitive must be
/// given a mapping here or declared unmappable; an unmappable op is an error naming it.
extension ONNXExporter {
    mutating func emit(_ op: Op, for node: Node, inputs: [String], output: String) throws {
        typealias A = ONNXExporter
        let rank = node.inputs.first?.staticShape.count ?? 0
        func axis(_ dim: Int, _ rank: Int) -> Int { dim < 0 ? dim + rank : dim }
        switch op {
        case .add: add("Add", inputs, [output])
        case .sub: add("Sub", inputs, [output])
        case .mul: add("Mul", inputs, [output])
        case .div: add("Div", inputs, [output])
        case .less, .greater, .equal:
            let comparison = op == .less ? "Less" : op == .greater ? "Greater" : "Equal"
            let flag = intermediate(comparison, inputs, base: output)
            add("Cast", [flag], [output], [A.attribute("to", int: Onnx_TensorProto.DataType.float.rawValue)])
        case .neg: add("Neg", inputs, [output])
        case .relu: add("Relu", inputs, [output])
        case .sigmoid: add("Sigmoid", inputs, [output])
        case .tanh: add("Tanh", inputs, [output])
        case .exp: add("Exp", inputs, [output])
        case .log: add("Log", inputs, [output])
        case .sqrt: add("Sqrt", inputs, [output])
        case .abs: add("Abs", inputs, [output])
        case .sign: add("Sign", inputs, [output])
        case .leakyRelu(let slope):
            add("LeakyRelu", inputs, [output], [A.attribute("alpha", float: slope)])
        case .gelu:
            // Opset 17 has no Gelu: x * (1 + erf(x / sqrt 2)) * 0.5, the sequence torch.onnx writes.
            let scaled = intermediate("Div", [inputs[0], scalar(Float(2).squareRoot(), base: "\(output)/sqrt2")], base: output)
            let erf = intermediate("Erf", [scaled], base: output)
            let onePlus = intermediate("Add", [erf, scalar(1, base: "\(output)/one")], base: output)
            let product = intermediate("Mul", [inputs[0], onePlus], base: output)
            add("Mul", [product, scalar(0.5, base: "\(output)/half")], [output])
        case let .clamp(low, high):
            let lowName = low.map { scalar($0, base: "\(output)/min") } ?? ""
            let highName = high.map { scalar($0, base: "\(output)/max") } ?? ""
            add("Clip", [inputs[0], lowName, highName], [output])
        case .addScalar(let s): add("Add", [inputs[0], scalar(s, base: "\(output)/scalar")], [output])
        case .mulScalar(let s): add("Mul", [inputs[0], scalar(s, base: "\(output)/scalar")], [output])
        case .pow(let p): add("Pow", [inputs[0], scalar(p, base: "\(output)/exponent")], [output])

        case let .sum(dim, keepDim):
            var operands = [inputs[0]]
            if let dim { operands.append(int64Initializer([axis(dim, rank)], base: "\(output)/axes")) }
            add("ReduceSum", operands, [output], [A.attribute("keepdims", int: keepDim ? 1 : 0)])
        case let .mean(dim, keepDim), let .max(dim, keepDim):
            // Opset 17's ReduceMean and ReduceMax take their axes as an attribute.
            var attributes = [A.attribute("keepdims", int: keepDim ? 1 : 0)]
            if let dim { attributes.append(A.attribute("axes", ints: [axis(dim, rank)])) }
            add(op.kind == .mean ? "ReduceMean" : "ReduceMax", [inputs[0]], [output], attributes)
        case .argmax(let dim):
            let index = intermediate(
                "ArgMax", inputs, base: output, [A.attribute("axis", int: axis(dim, rank)), A.attribute("keepdims", int: 0)])
            add("Cast", [index], [output], [A.attribute("to", int: Onnx_TensorProto.DataType.float.rawValue)])

        case .reshape(let shape):
            // ONNX reads 0 as "copy this dimension": allowzero=1 keeps a literal 0 a 0.
            add("Reshape", [inputs[0], int64Initializer(shape, base: "\(output)/shape")], [output],
                shape.contains(0) ? [A.attribute("allowzero", int: 1)] : [])
        case .flatten(let startDim):
            let start = axis(startDim, rank)
            if start == 1 {
                add("Flatten", inputs, [output], [A.attribute("axis", int: 1)])
            } else {
                // Keep the leading dims (0 = copy, the batch may be unknown) and merge the rest.
                add("Reshape", [inputs[0], int64Initializer(Array(repeating: 0, count: start) + [-1], base: "\(output)/shape")], [output])
            }
        case .reshapeLike:
            let shape = intermediate("Shape", [inputs[1]], base: output)
            add("Reshape", [inputs[0], shape], [output])
        case .broadcastLike:
            let shape = intermediate("Shape", [inputs[1]], base: output)
            add("Expand", [inputs[0], shape], [output])
        case let .transpose(a, b):
            var perm = Array(0..<rank)
            perm.swapAt(axis(a, rank), axis(b, rank))
            add("Transpose", inputs, [output], [A.attribute("perm", ints: perm)])
        case .permute(let dims):
            add("Transpose", inputs, [output], [A.attribute("perm", ints: dims.map { axis($0, rank) })])
        case let .narrow(dim, start, length):
            let end = start < 0 && start + length == 0 ? Int(Int64.max) : start + length
            add("Slice", [
                inputs[0], int64Initializer([start], base: "\(output)/starts"), int64Initializer([end], base: "\(output)/ends"),
                int64Initializer([axis(dim, rank)], base: "\(output)/axes"),
            ], [output])
        case .squeeze(let dim):
            let d = axis(dim, rank)
            if node.inputs[0].staticShape[d] == 1 {
                add("Squeeze", [inputs[0], int64Initializer([d], base: "\(output)/axes")], [output])
            } else if node.inputs[0].staticShape[d] >= 0 {
                add("Identity", inputs, [output])  // PyTorch's squeeze leaves a dim of size > 1 alone
            } else {
                throw unmappable("squeeze of a dimension of unknown size", node: node)
            }
        case .unsqueeze(let dim):
            add("Unsqueeze", [inputs[0], int64Initializer([axis(dim, rank + 1)], base: "\(output)/axes")], [output])

        case .indexSelect(let dim):
            let index = intermediate("Cast", [inputs[1]], base: output, [A.attribute("to", int: Onnx_TensorProto.DataType.int64.rawValue)])
            add("Gather", [inputs[0], index], [output], [A.attribute("axis", int: axis(dim, rank))])
        case .cat(let dim, _):
            add("Concat", inputs, [output], [A.attribute("axis", int: axis(dim, rank))])
        case .stack(let dim, _):
            let d = axis(dim, rank + 1)
            let axes = int64Initializer([d], base: "\(output)/axes")
            let parts = inputs.map { intermediate("Unsqueeze", [$0, axes], base: output) }
            add("Concat", parts, [output], [A.attribute("axis", int: d)])
        case .embedding:
            let index = intermediate("Cast", [inputs[0]], base: output, [A.attribute("to", int: Onnx_TensorProto.DataType.int64.rawValue)])
            add("Gather", [inputs[1], index], [output], [A.attribute("axis", int: 0)])

        case .matmul: add("MatMul", inputs, [output])
        case let .linear(transposedWeight, activation):
            let affine = activation == .identity ? output : freshName("\(output)/Gemm")
            add("Gemm", inputs, [affine], [A.attribute("transB", int: transposedWeight ? 1 : 0)])
            switch activation {
            case .identity: break
            case .relu: add("Relu", [affine], [output])
            case .sigmoid: add("Sigmoid", [affine], [output])
            case .tanh: add("Tanh", [affine], [output])
            }

        case .softmax(let dim): add("Softmax", inputs, [output], [A.attribute("axis", int: axis(dim, rank))])
        case .logSoftmax(let dim): add("LogSoftmax", inputs, [output], [A.attribute("axis", int: axis(dim, rank))])
        case let .conv2d(stride, padding):
            let kernel = Array(node.inputs[1].staticShape.suffix(2))
            add("Conv", inputs, [output], [
                A.attribute("kernel_shape", ints: kernel), A.attribute("strides", ints: [stride, stride]),
                A.attribute("pads", ints: Array(repeating: padding, count: 4)),
            ])
        case let .maxPool2d(kernel, stride):
            add("MaxPool", inputs, [output], [
                A.attribute("kernel_shape", ints: [kernel, kernel]), A.attribute("strides", ints: [stride, stride]),
            ])
        case let .avgPool2d(kernel, stride, padding):
            add("AveragePool", inputs, [output], [
                A.attribute("kernel_shape", ints: [kernel, kernel]), A.attribute("strides", ints: [stride, stride]),
                A.attribute("pads", ints: Array(repeating: padding, count: 4)), A.attribute("count_include_pad", int: 1),
            ])
        case let .batchNorm(eps, affine):
            // Tandem: (x, mean, variance, weight, bias); ONNX: (X, scale, B, mean, var).
            let channels = node.inputs[1].staticShape.first ?? 0
            let scale = affine ? inputs[3] : initializer(NDArray(ones: [channels]), base: "\(output)/scale")
            let bias = affine ? inputs[4] : initializer(NDArray(zeros: [channels]), base: "\(output)/bias")
            add("BatchNormalization", [inputs[0], scale, bias, inputs[1], inputs[2]], [output],
                [A.attribute("epsilon", float: eps)])
        case let .layerNorm(normalizedShape, eps, affine):
            let scale = affine ? inputs[1] : initializer(NDArray(ones: normalizedShape), base: "\(output)/scale")
            var operands = [inputs[0], scale]
            if affine { operands.append(inputs[2]) }
            add("LayerNormalization", operands, [output], [
                A.attribute("axis", int: -normalizedShape.count), A.attribute("epsilon", float: eps),
            ])
        case .fusedElementwise(let steps):
            // A chain the fusion pass made: written back as its steps, one node each.
            var current = inputs[0]
            for (i, step) in steps.enumerated() {
                let out = i == steps.count - 1 ? output : freshName("\(output)/step\(i)")
                try emit(step.op, for: node, inputs: [current], output: out)
                current = out
            }

        case .reluBackward, .clampBackward, .leakyReluBackward, .geluBackward, .expandLike, .maxBackward,
            .reduceLike, .narrowBackward, .indexSelectBackward, .catBackward, .embeddingBackward,
            .conv2dBackwardInput, .conv2dBackwardWeight, .maxPool2dBackward, .avgPool2dBackward,
            .batchStatisticsBackward, .batchNormBackwardReduce, .batchNormBackwardInput,
            .movingAverage, .layerNormBackward, .crossEntropy, .crossEntropyBackward, .nllLoss, .nllLossBackward,
            .binaryCrossEntropyWithLogits, .zerosLike:
            throw unmappable(op.name, node: node)
        case .batchStatistics:
            throw unmappable(op.name, node: node, hint: "batch norm in training mode: export with the running statistics (eval mode)")
        case .bernoulliMask:
            throw unmappable(op.name, node: node, hint: "dropout in training mode: export the model in eval mode")
        }
    }
}
