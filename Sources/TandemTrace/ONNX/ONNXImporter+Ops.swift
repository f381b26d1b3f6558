import TandemGraph
import TandemProtos

/// The one table from ONNX op types to Tandem's primitives (tinygrad's `onnx.py` shape): each
/// case reads its operands and attributes and adds the nodes; an op type without a case is an
/// error naming it.
extension ONNXImporter {
    mutating func node(_ proto: Onnx_NodeProto) throws {
        guard let output = proto.output.first, !output.isEmpty else {
            throw unsupported(proto, "it has no output")
        }
        guard proto.domain.isEmpty || proto.domain == "ai.onnx" else {
            throw unsupported(proto, "domain '\(proto.domain)' is not the default ONNX domain")
        }
        let names = proto.input
        func x(_ i: Int) throws -> Node {
            guard i < names.count, !names[i].isEmpty else { throw unsupported(proto, "input \(i) is missing") }
            return try tensor(names[i], for: "ONNX node '\(proto.name)' (\(proto.opType))")
        }
        func apply(_ op: Op, _ inputs: [Node]) -> Node { Node.apply(op, inputs, at: location) }
        func axis(_ a: Int, _ node: Node) -> Int { a < 0 ? a + node.staticShape.count : a }
        func set(_ node: Node) { values[output] = .node(node) }

        // Constant folding of what is known when the file is read (torch writes shapes this way).
        if proto.opType == "Constant" {
            guard let attribute = proto.attribute.first else { throw unsupported(proto, "it has no value") }
            switch attribute.name {
            case "value": constants[output] = try ONNXTensor.floats(attribute.t, path: path)
            case "value_float": constants[output] = NDArray(attribute.f)
            case "value_int": constants[output] = NDArray(Float(attribute.i))
            case "value_floats": constants[output] = NDArray(shape: [attribute.floats.count], scalars: attribute.floats)
            case "value_ints": constants[output] = NDArray(shape: [attribute.ints.count], scalars: attribute.ints.map(Float.init))
            default: throw unsupported(proto, "a Constant of kind '\(attribute.name)' is not read")
            }
            return
        }

        switch proto.opType {
        case "Add", "Sub", "Mul", "Div":
            if try geluStep(proto) { return }
            let op: Op = proto.opType == "Add" ? .add : proto.opType == "Sub" ? .sub : proto.opType == "Mul" ? .mul : .div
            set(apply(op, [try x(0), try x(1)]))
        case "Erf":
            // Only as part of GELU: erf(x / sqrt 2), with x known from the Div that feeds it.
            guard let divisor = pendingGeluDivisions[names[0]] else {
                throw unsupported(proto, "Erf is read only inside GELU's form x * (1 + erf(x / sqrt 2)) * 0.5")
            }
            values[output] = .gelu(stage: 1, x: divisor)
        case "Relu": set(apply(.relu, [try x(0)]))
        case "Sigmoid": set(apply(.sigmoid, [try x(0)]))
        case "Tanh": set(apply(.tanh, [try x(0)]))
        case "Exp": set(apply(.exp, [try x(0)]))
        case "Log": set(apply(.log, [try x(0)]))
        case "Sqrt": set(apply(.sqrt, [try x(0)]))
        case "Abs": set(apply(.abs, [try x(0)]))
        case "Neg": set(apply(.neg, [try x(0)]))
        case "Sign": set(apply(.sign, [try x(0)]))
        case "Gelu":
            guard (string(proto, "approximate") ?? "none") == "none" else {
                throw unsupported(proto, "only the exact (erf) GELU is read, not approximate='tanh'")
            }
            set(apply(.gelu, [try x(0)]))
        case "LeakyRelu": set(apply(.leakyRelu(negativeSlope: float(proto, "alpha", default: 0.01)), [try x(0)]))
        case "Less", "Greater", "Equal":
            let op: Op = proto.opType == "Less" ? .less : proto.opType == "Greater" ? .greater : .equal
            set(apply(op, [try x(0), try x(1)]))
        case "Cast", "Identity", "Dropout":
            // Tandem keeps every value as Float (comparisons give 0/1, indices whole numbers), so a
            // Cast between Float, integers and Bool changes nothing; Dropout in an exported
            // (inference) model is the identity.
            set(try x(0))
        case "Clip":
            let low = names.count > 1 && !names[1].isEmpty ? constantScalar(names[1]) : nil
            let high = names.count > 2 && !names[2].isEmpty ? constantScalar(names[2]) : nil
            if names.count > 1 && !names[1].isEmpty && low == nil || names.count > 2 && !names[2].isEmpty && high == nil {
                throw unsupported(proto, "Clip's bounds must be constant scalars")
            }
            set(apply(.clamp(min: low, max: high), [try x(0)]))
        case "Pow":
            guard names.count > 1, let p = constantScalar(names[1]) else {
                throw unsupported(proto, "Pow's exponent must be a constant scalar")
            }
            set(apply(.pow(p), [try x(0)]))

        case "ReduceSum", "ReduceMean", "ReduceMax":
            let input = try x(0)
            let keep = try int(proto, "keepdims", default: 1) == 1
            let axes = try ints(proto, "axes") ?? (names.count > 1 && !names[1].isEmpty ? integers(names[1], for: proto) : [])
            guard axes.count <= 1 else { throw unsupported(proto, "only one axis or all axes are reduced") }
            let dim = axes.first.map { axis($0, input) }
            if dim == nil && keep { throw unsupported(proto, "a reduction over all axes with keepdims=1 is not read") }
            let op: Op = proto.opType == "ReduceSum" ? .sum(dim: dim, keepDim: keep)
                : proto.opType == "ReduceMean" ? .mean(dim: dim, keepDim: keep) : .max(dim: dim, keepDim: keep)
            set(apply(op, [input]))
        case "ArgMax":
            let input = try x(0)
            let dim = axis(try int(proto, "axis", default: 0), input)
            let index = apply(.argmax(dim: dim), [input])
            set(try int(proto, "keepdims", default: 1) == 1 ? apply(.unsqueeze(dim: dim), [index]) : index)

        case "Reshape":
            let input = try x(0)
            var shape = try integers(names[1], for: proto)
            let copies = try int(proto, "allowzero", default: 0) == 0  // 0 copies the input's dimension
            if copies, let last = shape.last, last == -1, shape.dropLast().allSatisfy({ $0 == 0 }),
                shape.count - 1 < input.staticShape.count
            {
                // [0, ..., 0, -1]: keep the leading dims, merge the rest, even when the batch is unknown.
                set(apply(.flatten(startDim: shape.count - 1), [input]))
            } else {
                if copies {
                    for (i, size) in shape.enumerated() where size == 0 {
                        guard i < input.staticShape.count, input.staticShape[i] != unknownDim else {
                            throw unsupported(proto, "shape \(shape) copies dimension \(i), whose size is not known when the file is read")
                        }
                        shape[i] = input.staticShape[i]
                    }
                }
                set(apply(.reshape(shape), [input]))
            }
        case "Flatten":
            let input = try x(0)
            let a = axis(try int(proto, "axis", default: 1), input)
            if a == 1 {
                set(apply(.flatten(startDim: 1), [input]))
            } else if a == 0 {
                set(apply(.reshape([1, -1]), [input]))
            } else if input.staticShape.prefix(a).allSatisfy({ $0 >= 0 }) {
                set(apply(.reshape([input.staticShape.prefix(a).reduce(1, *), -1]), [input]))
            } else {
                throw unsupported(proto, "Flatten(axis: \(a)) of a tensor with unknown leading dimensions")
            }
        case "Transpose":
            let input = try x(0)
            let perm = ints(proto, "perm") ?? Array((0..<input.staticShape.count).reversed())
            set(apply(.permute(perm), [input]))
        case "Squeeze":
            let input = try x(0)
            let axes = try ints(proto, "axes") ?? (names.count > 1 ? integers(names[1], for: proto) : [])
            guard axes.count == 1 else { throw unsupported(proto, "Squeeze of exactly one axis is read") }
            set(apply(.squeeze(dim: axis(axes[0], input)), [input]))
        case "Unsqueeze":
            let input = try x(0)
            let axes = try ints(proto, "axes") ?? (names.count > 1 ? integers(names[1], for: proto) : [])
            guard axes.count == 1 else { throw unsupported(proto, "Unsqueeze of exactly one axis is read") }
            set(apply(.unsqueeze(dim: axes[0] < 0 ? axes[0] + input.staticShape.count + 1 : axes[0]), [input]))
        case "Slice":
            let input = try x(0)
            let starts = try integers(names[1], for: proto), ends = try integers(names[2], for: proto)
            let axes = names.count > 3 && !names[3].isEmpty ? try integers(names[3], for: proto) : [0]
            let steps = names.count > 4 && !names[4].isEmpty ? try integers(names[4], for: proto) : [1]
            guard starts.count == 1, ends.count == 1, axes.count == 1, steps == [1] else {
                throw unsupported(proto, "Slice along one axis with step 1 is read")
            }
            let dim = axis(axes[0], input)
            let size = input.staticShape[dim]
            guard size >= 0 else { throw unsupported(proto, "Slice along a dimension of unknown size") }
            func clampIndex(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? i + size : i, 0), size) }
            let start = clampIndex(starts[0]), end = clampIndex(ends[0])
            set(apply(.narrow(dim: dim, start: start, length: Swift.max(end - start, 0)), [input]))
        case "Concat":
            let inputs = try (0..<names.count).map { try x($0) }
            set(apply(.cat(dim: axis(try int(proto, "axis"), inputs[0]), count: inputs.count), inputs))
        case "Gather":
            let data = try x(0), index = try x(1)
            let a = axis(try int(proto, "axis", default: 0), data)
            if a == 0 && data.staticShape.count == 2 {
                set(apply(.embedding, [index, data]))  // rows of a table: nn.Embedding's export
            } else if index.staticShape.count == 1 {
                set(apply(.indexSelect(dim: a), [data, index]))
            } else {
                throw unsupported(proto, "Gather with indices of rank \(index.staticShape.count) along axis \(a)")
            }

        case "MatMul": set(apply(.matmul, [try x(0), try x(1)]))
        case "Gemm":
            let a = try x(0), b = try x(1)
            guard try int(proto, "transA", default: 0) == 0, float(proto, "alpha", default: 1) == 1,
                float(proto, "beta", default: 1) == 1
            else { throw unsupported(proto, "Gemm with transA, alpha or beta other than the defaults") }
            let transposed = try int(proto, "transB", default: 0) == 1
            if names.count > 2, !names[2].isEmpty, try x(2).staticShape.count == 1 {
                set(apply(.linear(transposedWeight: transposed, activation: .identity), [a, b, try x(2)]))
            } else {
                var product = apply(.matmul, [a, transposed ? apply(.transpose(0, 1), [b]) : b])
                if names.count > 2, !names[2].isEmpty { product = apply(.add, [product, try x(2)]) }
                set(product)
            }
        case "Softmax", "LogSoftmax":
            let input = try x(0)
            let dim = axis(try int(proto, "axis", default: -1), input)
            set(apply(proto.opType == "Softmax" ? .softmax(dim: dim) : .logSoftmax(dim: dim), [input]))
        case "Conv":
            let input = try x(0), weight = try x(1)
            let (stride, padding) = try window(proto, kernel: Array(weight.staticShape.suffix(2)))
            guard try int(proto, "group", default: 1) == 1 else { throw unsupported(proto, "grouped convolution") }
            var out = apply(.conv2d(stride: stride, padding: padding), [input, weight])
            if names.count > 2, !names[2].isEmpty {
                let bias = try x(2)
                out = apply(.add, [out, apply(.reshape([-1, 1, 1]), [bias])])
            }
            set(out)
        case "MaxPool", "AveragePool":
            let input = try x(0)
            guard let kernel = ints(proto, "kernel_shape") else { throw unsupported(proto, "kernel_shape is missing") }
            let (stride, padding) = try window(proto, kernel: kernel)
            guard try int(proto, "ceil_mode", default: 0) == 0 else { throw unsupported(proto, "ceil_mode=1") }
            if proto.opType == "MaxPool" {
                guard padding == 0 else { throw unsupported(proto, "padded MaxPool") }
                guard proto.output.count == 1 || proto.output[1].isEmpty else { throw unsupported(proto, "MaxPool's indices output") }
                set(apply(.maxPool2d(kernelSize: kernel[0], stride: stride), [input]))
            } else {
                let countsPadding = try int(proto, "count_include_pad", default: 0) == 1
                guard padding == 0 || countsPadding else {
                    throw unsupported(proto, "padded AveragePool with count_include_pad=0 (Tandem counts the padding, as PyTorch)")
                }
                set(apply(.avgPool2d(kernelSize: kernel[0], stride: stride, padding: padding), [input]))
            }
        case "BatchNormalization":
            guard try int(proto, "training_mode", default: 0) == 0 else { throw unsupported(proto, "training_mode=1") }
            let eps = float(proto, "epsilon", default: 1e-5)
            set(apply(.batchNorm(eps: eps, affine: true), [try x(0), try x(3), try x(4), try x(1), try x(2)]))
        case "LayerNormalization":
            let input = try x(0), scale = try x(1)
            let first = axis(try int(proto, "axis", default: -1), input)
            let normalized = Array(input.staticShape[first...])
            let hasBias = names.count > 2 && !names[2].isEmpty
            let bias = hasBias ? try x(2) : graph.constant(NDArray(zeros: normalized), name: "\(output)/bias", file: file, line: line)
            set(apply(.layerNorm(normalizedShape: normalized, eps: float(proto, "epsilon", default: 1e-5), affine: true),
                      [input, scale, bias]))
        default:
            throw unsupported(proto, "the importer has no mapping for op type '\(proto.opType)'")
        }
    }

    /// One stride and one symmetric padding for a square window (what Tandem's 2-D ops take).
    private func window(_ proto: Onnx_NodeProto, kernel: [Int]) throws -> (stride: Int, padding: Int) {
        let strides = ints(proto, "strides") ?? [1, 1]
        let pads = ints(proto, "pads") ?? [0, 0, 0, 0]
        let dilations = ints(proto, "dilations") ?? [1, 1]
        guard kernel.count == 2, kernel[0] == kernel[1], strides.count == 2, strides[0] == strides[1],
            pads.count == 4, Set(pads).count == 1, dilations.allSatisfy({ $0 == 1 }),
            (string(proto, "auto_pad") ?? "NOTSET") == "NOTSET"
        else {
            throw unsupported(proto, "only square kernels with equal strides, equal padding on every side and no dilation are read "
                + "(kernel \(kernel), strides \(strides), pads \(pads), dilations \(dilations))")
        }
        return (strides[0], pads[0])
    }
}
