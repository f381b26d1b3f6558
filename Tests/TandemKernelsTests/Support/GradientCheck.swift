import TandemKernels
import XCTest

/// Checks an op's gradient rule against central finite differences.
///
/// The scalar loss is `sum(op(inputs) * r)` with fixed random weights `r` shaped like the
/// output, so every output element (and every path into it) matters. The rule is run through the
/// test's `Value` conformer with `g = r`; each element of each input in `wrt` is then nudged by
/// ±eps and `(loss(+) - loss(-)) / 2eps` compared with the rule's gradient.
///
/// Float32 limits what finite differences can resolve. With eps = 1e-2 the rounding of the loss
/// (about 1e-7 relative, divided by 2eps: ~1e-5) and the truncation error (eps²/6 times the
/// third derivative: ~1e-4 for these inputs, ~1.5e-3 for 1/b at b = 0.5) both stay near or
/// under the default tolerance of 1e-3, tight enough to catch a rule that is off by 1%. Inputs
/// must stay at least eps away from kinks (relu at 0, ties of a maximum, log and sqrt near 0).
///
/// - Parameters:
///   - op: the primitive.
///   - inputs: its inputs.
///   - wrt: the inputs to differentiate with respect to (default: all).
///   - noGradient: inputs the rule must give no gradient for (labels, "like" inputs).
///   - eps: the finite-difference step.
///   - tolerance: an element passes when |analytic - numeric| <= tolerance * max(1, |numeric|).
func checkGradient(
    _ op: Op, _ inputs: [NDArray], wrt: [Int]? = nil, noGradient: [Int] = [],
    eps: Float = 1e-2, tolerance: Float = 1e-3, seed: UInt64 = 7,
    file: StaticString = #filePath, line: UInt = #line
) {
    let output: NDArray
    do {
        output = try op.evaluate(inputs)
    } catch {
        XCTFail("\(op) forward failed: \(error)", file: file, line: line)
        return
    }
    let weights = randomArray(output.shape, in: -1...1, seed: seed)
    let weightValues = naiveScalars(weights).map(Double.init)

    func loss(_ xs: [NDArray]) -> Double {
        let y = try! op.evaluate(xs)
        return zip(naiveScalars(y), weightValues).reduce(0.0) { $0 + Double($1.0) * $1.1 }
    }

    var grads: [Value?] = []
    do {
        grads = try checked {
            op.gradient(inputs: inputs.map(Value.init), output: Value(output), grad: Value(weights))
        }
    } catch {
        XCTFail("\(op) gradient rule failed: \(error)", file: file, line: line)
        return
    }
    XCTAssertEqual(grads.count, inputs.count, "\(op): one gradient per input", file: file, line: line)
    for i in noGradient {
        XCTAssertNil(grads[i], "\(op): input \(i) should get no gradient", file: file, line: line)
    }

    for i in wrt ?? Array(inputs.indices) {
        guard let analytic = grads[i]?.array else {
            XCTFail("\(op): no gradient for input \(i)", file: file, line: line)
            continue
        }
        XCTAssertEqual(analytic.shape, inputs[i].shape, "\(op): gradient \(i) shape", file: file, line: line)
        guard analytic.shape == inputs[i].shape else { continue }
        let base = naiveScalars(inputs[i])
        var numeric = [Float](repeating: 0, count: base.count)
        for j in base.indices {
            var plus = inputs, minus = inputs
            var up = base, down = base
            up[j] += eps
            down[j] -= eps
            plus[i] = dense(inputs[i].shape, up)
            minus[i] = dense(inputs[i].shape, down)
            numeric[j] = Float((loss(plus) - loss(minus)) / (2 * Double(eps)))
        }
        assertClose(naiveScalars(analytic), numeric, tolerance: tolerance, "(\(op), input \(i))", file: file, line: line)
    }
}
