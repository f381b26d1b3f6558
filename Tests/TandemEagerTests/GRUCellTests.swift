import XCTest

@testable import TandemEager

final class GRUCellTests: XCTestCase {
    private let (batch, inputSize, hiddenSize) = (3, 4, 5)

    func testStepMatchesTheNaiveEquations() {
        manualSeed(10)
        for bias in [true, false] {
            let cell = GRUCell(inputSize: inputSize, hiddenSize: hiddenSize, bias: bias)
            let x = Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 11))
            let h = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 12))
            var expected: [Float] = []
            for b in 0..<batch {
                expected += RecurrentReference.gruStep(
                    x: RecurrentReference.row(x.scalars, b, inputSize), h: RecurrentReference.row(h.scalars, b, hiddenSize),
                    wIH: cell.weightIH.scalars, wHH: cell.weightHH.scalars, bIH: cell.biasIH?.scalars,
                    bHH: cell.biasHH?.scalars
                ).map(Float.init)
            }
            assertClose(cell(x, h).scalars, expected, "bias \(bias)")
        }
    }

    func testStateDictKeysAndShapes() {
        let cell = GRUCell(inputSize: inputSize, hiddenSize: hiddenSize)
        XCTAssertEqual(cell.namedParameters.map(\.0), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        XCTAssertEqual(cell.stateDict()["weight_ih"]?.shape, [3 * hiddenSize, inputSize])
        XCTAssertEqual(cell.stateDict()["weight_hh"]?.shape, [3 * hiddenSize, hiddenSize])
        XCTAssertEqual(cell.stateDict()["bias_hh"]?.shape, [3 * hiddenSize])
        let bound = 1 / Float(hiddenSize).squareRoot()
        XCTAssertTrue(cell.parameters.flatMap(\.scalars).allSatisfy { abs($0) <= bound })
    }

    func testGradientsMatchFiniteDifferences() {
        manualSeed(13)
        let cell = GRUCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let x = Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 14), requiresGrad: true)
        let h = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 15), requiresGrad: true)
        let r = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 16))
        func loss() -> Tensor { (cell(x, h) * r).sum() }
        loss().backward()
        for (name, tensor) in cell.namedParameters + [("x", x), ("h", h)] {
            let numeric = finiteDifferences(of: tensor) { noGrad { loss().item() } }
            assertClose(tensor.grad?.scalars ?? [], numeric, atol: 2e-3, rtol: 1e-2, name)
        }
    }
}
