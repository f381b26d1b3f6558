import XCTest

@testable import TandemEager

/// The `Exp` example of the issue: saves its result in forward, multiplies by it in backward.
enum Exp: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        let result = inputs[0].exp()
        context.saveForBackward(result)
        return result
    }

    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
        [gradOutput * context.savedTensors[0]]
    }
}

/// A two-input function whose second input takes no gradient.
enum ScaleBy: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor {
        context.saveForBackward(inputs[1])
        return inputs[0] * inputs[1]
    }

    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
        [gradOutput * context.savedTensors[0], nil]
    }
}

/// A broken function returning a gradient of the wrong shape.
enum Broken: Function {
    static func forward(_ context: FunctionContext, _ inputs: [Tensor]) -> Tensor { inputs[0] * 2 }
    static func backward(_ context: FunctionContext, _ gradOutput: Tensor) -> [Tensor?] {
        [Tensor(shape: [1], scalars: [1])]
    }
}

final class FunctionTests: XCTestCase {
    func testCustomExpMatchesClosedForm() {
        let values: [Float] = [-1, 0, 0.5, 2]
        let x = Tensor(shape: [4], scalars: values, requiresGrad: true)
        let y = Exp.apply(x)
        XCTAssertEqual(y.gradFn, "ExpBackward")
        assertClose(y.scalars, values.map { Foundation.exp($0) })
        (y * 2).sum().backward()
        assertClose(x.grad!.scalars, values.map { 2 * Foundation.exp($0) })
    }

    func testCustomFunctionInsideALargerGraph() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let s = Tensor(shape: [2], scalars: [3, 4])
        let y = ScaleBy.apply(x.pow(2), s).sum()
        y.backward()
        XCTAssertEqual(x.grad!.scalars, [6, 16])
    }

    func testNoRecordingWithoutGrad() {
        let x = Tensor(shape: [1], scalars: [0])
        XCTAssertNil(Exp.apply(x).gradFn)
    }

    func testWrongGradientShapeIsReported() {
        let x = Tensor(shape: [2], scalars: [1, 2], requiresGrad: true)
        let y = Broken.apply(x).sum()
        let error = checkedError { y.backward() }
        guard case .autograd(let reason, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(reason.contains("BrokenBackward"), reason)
    }
}
