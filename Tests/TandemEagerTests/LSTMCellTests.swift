import XCTest

@testable import TandemEager

final class LSTMCellTests: XCTestCase {
    private let (batch, inputSize, hiddenSize) = (3, 4, 5)

    private func makeInputs() -> (x: Tensor, h: Tensor, c: Tensor) {
        (
            Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 1), requiresGrad: true),
            Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 2), requiresGrad: true),
            Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 3), requiresGrad: true)
        )
    }

    func testStepMatchesTheNaiveEquations() {
        manualSeed(0)
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let (x, h, c) = makeInputs()
        let next = cell(x, (h: h, c: c))
        var expectedH: [Float] = [], expectedC: [Float] = []
        for b in 0..<batch {
            let step = RecurrentReference.lstmStep(
                x: RecurrentReference.row(x.scalars, b, inputSize), h: RecurrentReference.row(h.scalars, b, hiddenSize),
                c: RecurrentReference.row(c.scalars, b, hiddenSize), wIH: cell.weightIH.scalars, wHH: cell.weightHH.scalars,
                bIH: cell.biasIH?.scalars, bHH: cell.biasHH?.scalars)
            expectedH += step.h.map(Float.init)
            expectedC += step.c.map(Float.init)
        }
        XCTAssertEqual(next.h.shape, [batch, hiddenSize])
        assertClose(next.h.scalars, expectedH, "h")
        assertClose(next.c.scalars, expectedC, "c")
    }

    func testWithoutBiasMatchesTheNaiveEquationsAndHasNoBiasKeys() {
        manualSeed(1)
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize, bias: false)
        XCTAssertEqual(cell.stateDict().keys.sorted(), ["weight_hh", "weight_ih"])
        let (x, h, c) = makeInputs()
        let next = cell(x, (h: h, c: c))
        let step = RecurrentReference.lstmStep(
            x: RecurrentReference.row(x.scalars, 0, inputSize), h: RecurrentReference.row(h.scalars, 0, hiddenSize),
            c: RecurrentReference.row(c.scalars, 0, hiddenSize), wIH: cell.weightIH.scalars, wHH: cell.weightHH.scalars,
            bIH: nil, bHH: nil)
        assertClose(Array(next.h.scalars.prefix(hiddenSize)), step.h.map(Float.init), "h")
    }

    func testStateDictKeysShapesAndInitialisationBound() {
        manualSeed(2)
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let state = cell.stateDict()
        XCTAssertEqual(cell.namedParameters.map(\.0), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
        XCTAssertEqual(state["weight_ih"]?.shape, [4 * hiddenSize, inputSize])
        XCTAssertEqual(state["weight_hh"]?.shape, [4 * hiddenSize, hiddenSize])
        XCTAssertEqual(state["bias_ih"]?.shape, [4 * hiddenSize])
        XCTAssertEqual(state["bias_hh"]?.shape, [4 * hiddenSize])
        let bound = 1 / Float(hiddenSize).squareRoot()
        let all = cell.parameters.flatMap(\.scalars)
        XCTAssertTrue(all.allSatisfy { abs($0) <= bound }, "every value within ±1/sqrt(hidden)")
        XCTAssertGreaterThan(all.map(abs).max() ?? 0, 0.8 * bound, "values spread over the range")
    }

    func testGradientsMatchFiniteDifferences() {
        manualSeed(3)
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let (x, h, c) = makeInputs()
        let r1 = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 4))
        let r2 = Tensor(shape: [batch, hiddenSize], scalars: recurrentTestValues(batch * hiddenSize, seed: 5))
        func loss() -> Tensor {
            let next = cell(x, (h: h, c: c))
            return (next.h * r1).sum() + (next.c * r2).sum()
        }
        loss().backward()
        for (name, tensor) in cell.namedParameters + [("x", x), ("h", h), ("c", c)] {
            let numeric = finiteDifferences(of: tensor) { noGrad { loss().item() } }
            assertClose(tensor.grad?.scalars ?? [], numeric, atol: 2e-3, rtol: 1e-2, name)
        }
    }

    func testForwardStartsFromZeroStates() {
        manualSeed(4)
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let x = Tensor(shape: [batch, inputSize], scalars: recurrentTestValues(batch * inputSize, seed: 6))
        let zeros = Tensor(zeros: [batch, hiddenSize])
        XCTAssertEqual(cell(x).scalars, cell(x, (h: zeros, c: zeros)).h.scalars)
    }

    func testMismatchedStateIsAnErrorNamingTheLine() {
        let cell = LSTMCell(inputSize: inputSize, hiddenSize: hiddenSize)
        let x = Tensor(zeros: [batch, inputSize]), wrong = Tensor(zeros: [batch, hiddenSize + 1])
        let error = checkedError { _ = cell(x, (h: wrong, c: wrong)) }
        XCTAssertNotNil(error)
        XCTAssertTrue("\(error.map { "\($0)" } ?? "")".contains("LSTMCellTests.swift"), "\(String(describing: error))")
    }
}
