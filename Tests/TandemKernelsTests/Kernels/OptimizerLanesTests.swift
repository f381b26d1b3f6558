import TandemKernels
import XCTest

/// The adaptive optimizers run eight lanes at a time and the remainder one at a time: equal
/// inputs must give bit-equal outputs on both paths (19 elements: two vectors and a tail of 3).
final class OptimizerLanesTests: XCTestCase {
    func testVectorLanesAndTheScalarTailAgreeBitForBit() {
        let n = 19
        var adamParam = NDArray(repeating: 0.3, shape: [n]), m = NDArray(zeros: [n]), v = NDArray(zeros: [n])
        var maxSquare: NDArray? = NDArray(zeros: [n])
        var rmsParam = NDArray(repeating: 0.3, shape: [n]), square = NDArray(zeros: [n])
        var buffer: NDArray? = NDArray(zeros: [n]), average: NDArray? = NDArray(zeros: [n])
        for step in 1...4 {
            let grad = NDArray(repeating: Float(step) * 0.37 - 0.8, shape: [n])
            OptimizerKernels.adam(
                param: &adamParam, grad: grad, m: &m, v: &v, maxSquare: &maxSquare, step: step, lr: 0.01, weightDecay: 0.1,
                decoupledWeightDecay: true, amsgrad: true)
            OptimizerKernels.rmsprop(
                param: &rmsParam, grad: grad, squareAverage: &square, momentumBuffer: &buffer, gradAverage: &average, lr: 0.01,
                momentum: 0.5)
        }
        for array in [adamParam, m, v, maxSquare!, rmsParam, square, buffer!, average!] {
            XCTAssertEqual(Set(array.scalars).count, 1, "\(array.scalars)")
        }
        XCTAssertNotEqual(adamParam.scalars[0], 0.3)
    }
}
