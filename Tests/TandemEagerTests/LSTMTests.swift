import XCTest

@testable import TandemEager

final class LSTMTests: XCTestCase {
    private let (batch, time, features, hidden) = (4, 5, 3, 6)

    private func input(requiresGrad: Bool = false) -> Tensor {
        Tensor(
            shape: [batch, time, features], scalars: recurrentTestValues(batch * time * features, seed: 21),
            requiresGrad: requiresGrad)
    }

    private func reference(_ lstm: LSTM, _ x: Tensor, lengths: [Int]) -> (output: [Float], h: [Float], c: [Float]) {
        RecurrentReference.sequence(
            input: x.scalars, batch: batch, time: time, features: features, hidden: hidden, lengths: lengths, lstm: true,
            wIH: lstm.weightIH.scalars, wHH: lstm.weightHH.scalars, bIH: lstm.biasIH?.scalars, bHH: lstm.biasHH?.scalars)
    }

    func testFullLengthSequencesMatchTheNaiveLoop() {
        manualSeed(20)
        let lstm = LSTM(inputSize: features, hiddenSize: hidden)
        let x = input()
        let result = lstm(x, lengths: nil)
        let expected = reference(lstm, x, lengths: Array(repeating: time, count: batch))
        XCTAssertEqual(result.output.shape, [batch, time, hidden])
        XCTAssertEqual(result.h.shape, [1, batch, hidden])
        XCTAssertEqual(result.c.shape, [1, batch, hidden])
        assertClose(result.output.scalars, expected.output, "output")
        assertClose(result.h.scalars, expected.h, "h")
        assertClose(result.c.scalars, expected.c, "c")
        XCTAssertEqual(lstm(x).scalars, result.output.scalars, "forward is the output")
    }

    func testLengthsGivePackedSequenceResultsInTheCallersOrder() {
        manualSeed(22)
        let lstm = LSTM(inputSize: features, hiddenSize: hidden)
        let x = input()
        // Unsorted, with ties and a sequence of length 1.
        let lengths = [2, 5, 1, 2]
        let result = lstm(x, lengths: lengths)
        let expected = reference(lstm, x, lengths: lengths)
        assertClose(result.output.scalars, expected.output, "output")
        assertClose(result.h.scalars, expected.h, "h")
        assertClose(result.c.scalars, expected.c, "c")
        // Exactly zero past each length, not merely small.
        for b in 0..<batch {
            for t in lengths[b]..<time {
                let start = (b * time + t) * hidden
                XCTAssertEqual(Array(result.output.scalars[start..<(start + hidden)]), [Float](repeating: 0, count: hidden))
            }
        }
    }

    func testTimeMajorLayout() {
        manualSeed(23)
        let lstm = LSTM(inputSize: features, hiddenSize: hidden, batchFirst: false)
        let x = input()
        let result = lstm(x.transpose(0, 1), lengths: [3, 5, 4, 1])
        let expected = reference(lstm, x, lengths: [3, 5, 4, 1])
        XCTAssertEqual(result.output.shape, [time, batch, hidden])
        assertClose(result.output.transpose(0, 1).scalars, expected.output, "output")
        assertClose(result.h.scalars, expected.h, "h")
    }

    func testGradientsWithLengthsMatchFiniteDifferences() {
        manualSeed(24)
        let lstm = LSTM(inputSize: features, hiddenSize: hidden)
        let x = input(requiresGrad: true)
        let lengths = [3, 5, 1, 4]
        let r = Tensor(shape: [batch, time, hidden], scalars: recurrentTestValues(batch * time * hidden, seed: 25))
        let rh = Tensor(shape: [1, batch, hidden], scalars: recurrentTestValues(batch * hidden, seed: 26))
        let rc = Tensor(shape: [1, batch, hidden], scalars: recurrentTestValues(batch * hidden, seed: 27))
        func loss() -> Tensor {
            let result = lstm(x, lengths: lengths)
            return (result.output * r).sum() + (result.h * rh).sum() + (result.c * rc).sum()
        }
        loss().backward()
        for (name, tensor) in lstm.namedParameters + [("x", x)] {
            let numeric = finiteDifferences(of: tensor) { noGrad { loss().item() } }
            assertClose(tensor.grad?.scalars ?? [], numeric, atol: 3e-3, rtol: 1e-2, name)
        }
        // Nothing past a length reaches the loss: those inputs get exactly zero gradient.
        let gradX = x.grad?.scalars ?? []
        XCTAssertEqual(Array(gradX[((2 * time + 1) * features)..<((3 * time) * features)]), [Float](repeating: 0, count: 4 * features))
    }

    func testStateDictKeys() {
        let lstm = LSTM(inputSize: features, hiddenSize: hidden)
        XCTAssertEqual(lstm.namedParameters.map(\.0), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
        XCTAssertEqual(lstm.stateDict()["weight_ih_l0"]?.shape, [4 * hidden, features])
        XCTAssertEqual(lstm.stateDict()["weight_hh_l0"]?.shape, [4 * hidden, hidden])
    }

    func testBadLengthsAndInputsAreErrorsNamingTheModule() {
        let lstm = LSTM(inputSize: features, hiddenSize: hidden)
        for lengths in [[1, 2, 3], [1, 2, 3, 0], [1, 2, 3, 6]] {
            let error = checkedError { _ = lstm(input(), lengths: lengths) }
            XCTAssertTrue("\(error.map { "\($0)" } ?? "none")".contains("LSTM"), "\(lengths): \(String(describing: error))")
            XCTAssertTrue("\(error.map { "\($0)" } ?? "none")".contains("LSTMTests.swift"), "\(String(describing: error))")
        }
        let error = checkedError { _ = lstm(Tensor(zeros: [batch, time, features + 1]), lengths: nil) }
        XCTAssertTrue("\(error.map { "\($0)" } ?? "none")".contains("[4, 5, 4]"), "\(String(describing: error))")
    }
}
