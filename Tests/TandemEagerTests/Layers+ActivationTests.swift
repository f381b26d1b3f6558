import Foundation
import XCTest

@testable import TandemEager

/// The activation modules and average pooling against closed forms and naive loops.
final class LayersActivationTests: XCTestCase {
    private let x: [Float] = [-2, -0.5, 0, 0.5, 1, 3]

    func testLeakyReLUAndGELUClosedForms() {
        let input = Tensor(shape: [2, 3], scalars: x)
        XCTAssertEqual(LeakyReLU(negativeSlope: 0.2)(input).scalars, x.map { $0 >= 0 ? $0 : 0.2 * $0 })
        XCTAssertEqual(LeakyReLU()(input).scalars[0], -0.02, accuracy: 1e-7)
        let gelu = x.map { v in Float(Double(v) * 0.5 * (1 + erf(Double(v) / 2.0.squareRoot()))) }
        assertClose(GELU()(input).scalars, gelu, atol: 1e-6)
    }

    func testSoftmaxAndLogSoftmaxModules() {
        let input = Tensor(shape: [2, 3], scalars: x)
        var expected: [Float] = []
        for row in 0..<2 {
            let values = x[(row * 3)..<(row * 3 + 3)].map { exp(Double($0)) }
            let total = values.reduce(0, +)
            expected += values.map { Float($0 / total) }
        }
        assertClose(Softmax(dim: 1)(input).scalars, expected, atol: 1e-6)
        assertClose(LogSoftmax(dim: -1)(input).scalars, expected.map { Float(log(Double($0))) }, atol: 1e-5)
        XCTAssertTrue(Softmax(dim: 1).parameters.isEmpty)
    }

    func testAvgPool2dMatchesNaiveWindows() {
        let values = sampleValues(2 * 5 * 5, seed: 4)
        let out = AvgPool2d(kernelSize: 2)(Tensor(shape: [1, 2, 5, 5], scalars: values))
        XCTAssertEqual(out.shape, [1, 2, 2, 2])
        var expected: [Float] = []
        for c in 0..<2 { for i in 0..<2 { for j in 0..<2 {
            var total: Float = 0
            for di in 0..<2 { for dj in 0..<2 { total += values[c * 25 + (2 * i + di) * 5 + 2 * j + dj] } }
            expected.append(total / 4)
        } } }
        assertClose(out.scalars, expected, atol: 1e-6)
        XCTAssertEqual(AvgPool2d(kernelSize: 3, stride: 1)(Tensor(shape: [1, 2, 5, 5], scalars: values)).shape, [1, 2, 3, 3])
    }

    func testActivationGradientsMatchFiniteDifferences() {
        let input = Tensor(shape: [2, 3], scalars: [-1.3, -0.4, 0.3, 0.6, 1.1, 2.2], requiresGrad: true)
        let mix = Tensor(shape: [2, 3], scalars: sampleValues(6, seed: 2))
        let modules: [Module] = [LeakyReLU(negativeSlope: 0.1), GELU(), Softmax(dim: 1), LogSoftmax(dim: 0)]
        for module in modules {
            input.grad = nil
            (module(input) * mix).sum().backward()
            let numeric = finiteDifferenceGradient(of: { (module(input) * mix).sum().item() }, at: input, eps: 1e-3)
            assertClose(input.grad!.scalars, numeric, atol: 2e-3, rtol: 1e-2, "\(type(of: module))")
        }
    }

    /// A bad input's error names the op, the shapes and the line of the module call.
    func testErrorsNameTheCallersLine() {
        let pool = AvgPool2d(kernelSize: 4), softmax = Softmax(dim: 2)
        let image = Tensor(shape: [1, 1, 3, 3], scalars: Array(repeating: 1, count: 9))
        let poolLine = #line + 1
        let poolError = checkedError { _ = pool(image) }
        XCTAssertTrue("\(poolError!)".contains("Layers+ActivationTests.swift:\(poolLine)"), "\(poolError!)")
        XCTAssertTrue("\(poolError!)".contains("avg_pool2d") || "\(poolError!)".contains("avgPool2d"), "\(poolError!)")
        let softmaxLine = #line + 1
        let softmaxError = checkedError { _ = softmax(Tensor(shape: [2, 3], scalars: x)) }
        XCTAssertTrue("\(softmaxError!)".contains("Layers+ActivationTests.swift:\(softmaxLine)"), "\(softmaxError!)")
        // Inside a Sequential, still the line of the outermost call.
        let model = Sequential { ReLU(); AvgPool2d(kernelSize: 4) }
        let modelLine = #line + 1
        let modelError = checkedError { _ = model(image) }
        XCTAssertTrue("\(modelError!)".contains("Layers+ActivationTests.swift:\(modelLine)"), "\(modelError!)")
    }
}
