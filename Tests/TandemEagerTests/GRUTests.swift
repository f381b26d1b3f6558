import XCTest

@testable import TandemEager

final class GRUTests: XCTestCase {
    private let (batch, time, features, hidden) = (3, 4, 2, 5)

    func testLengthsMatchTheNaiveLoopPerSequence() {
        manualSeed(30)
        let gru = GRU(inputSize: features, hiddenSize: hidden)
        let x = Tensor(shape: [batch, time, features], scalars: recurrentTestValues(batch * time * features, seed: 31))
        for lengths in [[4, 4, 4], [1, 4, 3]] {
            let result = gru(x, lengths: lengths)
            let expected = RecurrentReference.sequence(
                input: x.scalars, batch: batch, time: time, features: features, hidden: hidden, lengths: lengths, lstm: false,
                wIH: gru.weightIH.scalars, wHH: gru.weightHH.scalars, bIH: gru.biasIH?.scalars, bHH: gru.biasHH?.scalars)
            XCTAssertEqual(result.output.shape, [batch, time, hidden])
            XCTAssertEqual(result.h.shape, [1, batch, hidden])
            assertClose(result.output.scalars, expected.output, "output \(lengths)")
            assertClose(result.h.scalars, expected.h, "h \(lengths)")
        }
    }

    func testGradientsWithLengthsMatchFiniteDifferences() {
        manualSeed(32)
        let gru = GRU(inputSize: features, hiddenSize: hidden)
        let x = Tensor(
            shape: [batch, time, features], scalars: recurrentTestValues(batch * time * features, seed: 33), requiresGrad: true)
        let r = Tensor(shape: [batch, time, hidden], scalars: recurrentTestValues(batch * time * hidden, seed: 34))
        let rh = Tensor(shape: [1, batch, hidden], scalars: recurrentTestValues(batch * hidden, seed: 35))
        func loss() -> Tensor {
            let result = gru(x, lengths: [2, 4, 3])
            return (result.output * r).sum() + (result.h * rh).sum()
        }
        loss().backward()
        for (name, tensor) in gru.namedParameters + [("x", x)] {
            let numeric = finiteDifferences(of: tensor) { noGrad { loss().item() } }
            assertClose(tensor.grad?.scalars ?? [], numeric, atol: 3e-3, rtol: 1e-2, name)
        }
    }

    func testStateDictKeys() {
        let gru = GRU(inputSize: features, hiddenSize: hidden)
        XCTAssertEqual(gru.namedParameters.map(\.0), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
        XCTAssertEqual(gru.stateDict()["weight_ih_l0"]?.shape, [3 * hidden, features])
    }
}
