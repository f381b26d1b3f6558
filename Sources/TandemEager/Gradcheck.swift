/// What ``gradcheck(_:inputs:eps:atol:rtol:file:line:)`` found: whether autograd's gradients
/// agree with finite differences, and the Jacobian entry where they differ most.
public struct GradcheckReport: CustomStringConvertible {
    /// One entry of the Jacobian: the derivative of one output element with respect to one input element.
    public struct Element: CustomStringConvertible {
        /// Which of the inputs (its position in `inputs`).
        public let inputIndex: Int
        /// The element of that input (row-major index).
        public let elementIndex: Int
        /// The element of the output (row-major index).
        public let outputIndex: Int
        /// The derivative autograd computed (the function's or custom `Function`'s backward).
        public let analytic: Float
        /// The central finite difference.
        public let numeric: Float

        /// `|analytic - numeric|`.
        public var absoluteError: Float { Swift.abs(analytic - numeric) }

        /// `input 0, element 2 (output 1): backward gives 3.0, finite difference 1.5`.
        public var description: String {
            "input \(inputIndex), element \(elementIndex) (output \(outputIndex)): backward gives \(analytic), finite difference \(numeric)"
        }
    }

    /// Whether every element satisfied `|analytic - numeric| <= atol + rtol * |numeric|`.
    public let passed: Bool
    /// The entry with the largest `|analytic - numeric|` (nil when nothing was checked).
    public let worst: Element?
    /// How many Jacobian entries were compared.
    public let checkedCount: Int
    /// How many of them were outside the tolerance.
    public let failedCount: Int

    /// `gradcheck passed (24 entries; worst: ...)` or `gradcheck FAILED (3 of 24 entries; worst: ...)`.
    public var description: String {
        let worstText = worst.map { "; worst: \($0)" } ?? ""
        return passed
            ? "gradcheck passed (\(checkedCount) entries\(worstText))"
            : "gradcheck FAILED (\(failedCount) of \(checkedCount) entries outside the tolerance\(worstText))"
    }
}

/// Compares the gradients autograd computes for `f` with central finite differences, entry by
/// entry of the Jacobian (`torch.autograd.gradcheck` with `raise_exception=False`, plus a report).
///
/// Use it to test a custom ``Function``'s hand-written backward (or any composition of ops). Every
/// input that requires a gradient is perturbed element by element by ±`eps`; each output element
/// is differentiated by a backward pass seeded with a one-hot gradient. An entry passes when
/// `|analytic - numeric| <= atol + rtol * |numeric|`.
///
/// NOTE: Tandem computes in float32, where PyTorch's gradcheck insists on float64; the defaults
/// (eps 1e-3, atol 1e-3, rtol 1e-2) are sized for float32 rounding on values of order 1. Keep
/// the inputs small (the cost is one forward per perturbation and one backward per output element)
/// and away from kinks (relu at 0, abs at 0), where a finite difference straddles two slopes.
///
/// ```swift
/// let x = Tensor(shape: [3], scalars: [0.1, 0.5, 0.9], requiresGrad: true)
/// let report = try gradcheck({ Exp.apply($0[0]) }, inputs: [x])
/// print(report)       // gradcheck passed (9 entries; worst: ...)
/// ```
///
/// - Parameters:
///   - f: the function, called on copies of `inputs` (the originals and their `grad` are left alone).
///   - inputs: the arguments; those with `requiresGrad` are checked.
///   - eps: the perturbation of the finite differences.
///   - atol: the absolute tolerance.
///   - rtol: the tolerance relative to the numeric derivative.
/// - Returns: whether the gradients agree, and the worst entry.
/// - Throws: `TandemError` when no input requires a gradient, `eps` or a tolerance is not
///   positive, `f` fails on the inputs, or its output does not depend on the tape (nothing to check).
public func gradcheck(
    _ f: ([Tensor]) -> Tensor, inputs: [Tensor], eps: Float = 1e-3, atol: Float = 1e-3, rtol: Float = 1e-2,
    file: StaticString = #fileID, line: UInt = #line
) throws -> GradcheckReport {
    let location = SourceLocation(file, line)
    func invalid(_ reason: String) -> TandemError { .invalidValue(op: "gradcheck", reason: reason, location: location) }
    guard eps > 0, atol >= 0, rtol >= 0 else {
        throw invalid("eps must be positive and the tolerances not negative (eps \(eps), atol \(atol), rtol \(rtol))")
    }
    let checkedInputs = inputs.indices.filter { inputs[$0].requiresGrad }
    guard !checkedInputs.isEmpty else { throw invalid("none of the \(inputs.count) inputs requires a gradient") }

    let values = inputs.map(\.array)
    // Fresh leaves each call, so the user's tensors keep their values and gradients.
    func evaluate(_ arrays: [NDArray]) throws -> (leaves: [Tensor], output: Tensor) {
        let leaves = zip(arrays, inputs).map { Tensor($0.0, requiresGrad: $0.1.requiresGrad) }
        let output = try enableGrad { try checked { f(leaves) } }
        return (leaves, output)
    }

    let reference = try evaluate(values).output
    guard reference.requiresGrad else { throw invalid("the output does not depend on any input that requires a gradient") }
    let outputCount = reference.array.count

    // analytic[j][i][k]: d output[j] / d input i element k, one backward per output element.
    var analytic: [[[Float]]] = []
    for j in 0..<outputCount {
        let (leaves, output) = try evaluate(values)
        var seed = [Float](repeating: 0, count: outputCount)
        seed[j] = 1
        try checked { output.backward(Tensor(shape: output.shape, scalars: seed)) }
        analytic.append(inputs.indices.map { i in
            leaves[i].grad?.scalars ?? [Float](repeating: 0, count: values[i].count)
        })
    }

    var worst: GradcheckReport.Element?
    var worstError: Float = -1
    var checkedCount = 0, failedCount = 0
    for i in checkedInputs {
        let original = values[i].scalars
        for k in original.indices {
            func shifted(_ delta: Float) throws -> [Float] {
                var arrays = values
                var scalars = original
                scalars[k] += delta
                arrays[i] = NDArray(shape: values[i].shape, scalars: scalars)
                return try noGrad { try evaluate(arrays).output.scalars }
            }
            let plus = try shifted(eps), minus = try shifted(-eps)
            for j in 0..<outputCount {
                let numeric = Float((Double(plus[j]) - Double(minus[j])) / (2 * Double(eps)))
                let element = GradcheckReport.Element(
                    inputIndex: i, elementIndex: k, outputIndex: j, analytic: analytic[j][i][k], numeric: numeric)
                checkedCount += 1
                if !(element.absoluteError <= atol + rtol * Swift.abs(numeric)) { failedCount += 1 }
                // A NaN on either side fails, and counts as the worst.
                let error = element.absoluteError.isNaN ? Float.infinity : element.absoluteError
                if worst == nil || error > worstError {
                    worst = element
                    worstError = error
                }
            }
        }
    }
    return GradcheckReport(passed: failedCount == 0, worst: worst, checkedCount: checkedCount, failedCount: failedCount)
}
