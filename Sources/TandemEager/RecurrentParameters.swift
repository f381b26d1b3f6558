/// The four parameters every PyTorch recurrent layer has, created and named one way for the
/// cells and the sequence modules.
struct RecurrentParameters {
    let weightIH: Tensor
    let weightHH: Tensor
    let biasIH: Tensor?
    let biasHH: Tensor?

    /// PyTorch's `reset_parameters`: every parameter uniform in ±1/√hiddenSize, in registration
    /// order (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`).
    init(inputSize: Int, hiddenSize: Int, gateCount: Int, bias: Bool, module: String) {
        precondition(
            inputSize >= 0 && hiddenSize > 0,
            "\(module)(inputSize: \(inputSize), hiddenSize: \(hiddenSize)): sizes must be positive")
        let bound = 1 / Float(hiddenSize).squareRoot()
        func draw(_ shape: [Int]) -> Tensor {
            Tensor(Initializer.uniform(shape, low: -bound, high: bound), requiresGrad: true)
        }
        weightIH = draw([gateCount * hiddenSize, inputSize])
        weightHH = draw([gateCount * hiddenSize, hiddenSize])
        biasIH = bias ? draw([gateCount * hiddenSize]) : nil
        biasHH = bias ? draw([gateCount * hiddenSize]) : nil
    }

    /// The parameters with PyTorch's keys (`weight_ih` + suffix, ...), biases only when present.
    static func named(_ wIH: Tensor, _ wHH: Tensor, _ bIH: Tensor?, _ bHH: Tensor?, suffix: String) -> [(String, Tensor)] {
        var result = [("weight_ih" + suffix, wIH), ("weight_hh" + suffix, wHH)]
        if let bIH { result.append(("bias_ih" + suffix, bIH)) }
        if let bHH { result.append(("bias_hh" + suffix, bHH)) }
        return result
    }

    /// `x Wᵀ + b` (or `x Wᵀ` without a bias), PyTorch's `F.linear`.
    static func project(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, _ file: StaticString, _ line: UInt) -> Tensor {
        if let bias { return linear(x, weight: weight, bias: bias, file: file, line: line) }
        return x.matmul(weight.transpose(0, 1, file: file, line: line), file: file, line: line)
    }
}
