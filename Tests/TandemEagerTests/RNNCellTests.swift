import XCTest

@testable import TandemEager

final class RNNCellTests: XCTestCase {
    private let (batch, inputSize, hiddenSize) = (3, 4, 5)

    func testStepMatchesTheNaiveEquations() {
        manualSeed(50)
        for (nonlinearity, act) in [(RNNCell.Nonlinearity.tanh, { Foundation.tanh($0) }), (.relu, { Swift.max($0, 0) })] as [(RNNCell.Nonlinearity, (Double) -> Double)] {
            let cell = RNNCell(inputSize: inputSize, hiddenSize: hiddenSize, nonlinearity: nonlinearity)
            let x = Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 51))
            let h = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 52))
            var expected: [Float] = []
            for b in 0..<batch {
                let a = RecurrentReference.affine(
                    cell.weightIH.scalars, cell.biasIH?.scalars, RecurrentReference.row(x.scalars, b, inputSize), rows: hiddenSize)
                let r = RecurrentReference.affine(
                    cell.weightHH.scalars, cell.biasHH?.scalars, RecurrentReference.row(h.scalars, b, hiddenSize), rows: hiddenSize)
                expected += zip(a, r).map { Float(act($0 + $1)) }
            }
            assertClose(cell(x, h).scalars, expected, "\(nonlinearity)")
        }
    }

    func testKeysAndGradientsMatchFiniteDifferences() {
        manualSeed(53)
        let cell = RNNCell(inputSize: inputSize, hiddenSize: hiddenSize)
        XCTAssertEqual(cell.namedParameters.map(\.0), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        XCTAssertEqual(cell.stateDict()["weight_hh"]?.shape, [hiddenSize, hiddenSize])
        let x = Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 54), requiresGrad: true)
        let h = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 55), requiresGrad: true)
        let r = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 56))
        func loss() -> Tensor { (cell(x, h) * r).sum() }
        loss().backward()
        for (name, tensor) in cell.namedParameters + [("x", x), ("h", h)] {
            let numeric = finiteDifferences(of: tensor) { noGrad { loss().item() } }
            assertClose(tensor.grad?.scalars ?? [], numeric, atol: 2e-3, rtol: 1e-2, name)
        }
    }
}
