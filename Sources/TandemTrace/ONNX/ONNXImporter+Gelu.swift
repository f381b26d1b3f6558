import TandemGraph
import TandemProtos

/// GELU's Erf form, `x * (1 + erf(x / sqrt 2)) * 0.5` (or `x * 0.5 * (1 + erf(...))`), as
/// torch.onnx writes it for opset < 20 and as Tandem's exporter writes `gelu`: Tandem has no erf
/// primitive, so the importer follows the pattern node by node and emits one `gelu` at its end.
extension ONNXImporter {
    /// Handles an Add, Mul or Div that is a step of the pattern; returns whether it did.
    mutating func geluStep(_ proto: Onnx_NodeProto) throws -> Bool {
        guard proto.input.count == 2, let output = proto.output.first else { return false }
        let (a, b) = (proto.input[0], proto.input[1])
        func scalar(_ name: String) -> Float? { constantScalar(name) }
        func stage(_ name: String) -> (Int, Node)? {
            if case .gelu(let stage, let x)? = values[name] { return (stage, x) }
            return nil
        }
        switch proto.opType {
        case "Div":
            // Recorded, and still computed: the quotient may be used elsewhere too.
            if let c = scalar(b), abs(c - Float(2).squareRoot()) < 1e-4, case .node(let x)? = values[a] {
                pendingGeluDivisions[output] = x
            }
            return false
        case "Add":
            for (g, other) in [(a, b), (b, a)] {
                if let (s, x) = stage(g), s == 1, scalar(other) == 1 {
                    values[output] = .gelu(stage: 2, x: x)
                    return true
                }
            }
            return false
        case "Mul":
            for (g, other) in [(a, b), (b, a)] {
                guard let (s, x) = stage(g) else { continue }
                if s == 2, case .node(let y)? = values[other], y === x {
                    values[output] = .gelu(stage: 3, x: x)  // x * (1 + erf)
                    return true
                }
                if s == 2, pendingHalves[other] === x {
                    values[output] = .node(Node.apply(.gelu, [x], at: location))  // (x * 0.5) * (1 + erf)
                    return true
                }
                if s == 3, scalar(other) == 0.5 {
                    values[output] = .node(Node.apply(.gelu, [x], at: location))  // x * (1 + erf) * 0.5
                    return true
                }
            }
            for (x, other) in [(a, b), (b, a)] {
                if scalar(other) == 0.5, case .node(let node)? = values[x] { pendingHalves[output] = node }
            }
            return false
        default:
            return false
        }
    }
}
