import XCTest

@testable import TandemEager

/// The recurrent modules against values recorded from PyTorch
/// (scripts/pytorch/record_recurrent_reference.py): outputs, final states and gradients, with the
/// sequence modules run on a packed batch of unsorted lengths.
final class PyTorchRecurrentReferenceTests: XCTestCase {
    private func reference(_ name: String) throws -> PyTorchRecurrentReference.Case {
        try XCTUnwrap(PyTorchRecurrentReference.cases.first { $0.name == name }, name)
    }

    /// Loads the case's parameters, runs `body`, backpropagates the recorded loss and compares.
    private func check(_ name: String, module: Module, _ body: (Tensor) -> [Tensor]) throws {
        let c = try reference(name)
        try module.loadStateDict(c.parameters)
        let input = Tensor(c.input, requiresGrad: true)
        let outputs = body(input)
        XCTAssertEqual(outputs.count, c.outputs.count, name)
        var loss: Tensor?
        for (k, (output, expected)) in zip(outputs, c.outputs).enumerated() {
            XCTAssertEqual(output.shape, expected.shape, "\(name) output \(k)")
            assertClose(output.scalars, expected.scalars, "\(name) output \(k)")
            let term = (output * Tensor(c.weights[k])).sum()
            loss = loss.map { $0 + term } ?? term
        }
        loss?.backward()
        for (key, parameter) in module.namedParameters {
            assertClose(parameter.grad?.scalars ?? [], c.grads[key]?.scalars ?? [], atol: 1e-5, "\(name) grad \(key)")
        }
        assertClose(input.grad?.scalars ?? [], c.grads["input"]?.scalars ?? [], atol: 1e-5, "\(name) grad input")
    }

    func testLSTMCell() throws {
        let c = try reference("LSTMCell")
        let cell = LSTMCell(inputSize: c.input.shape[1], hiddenSize: c.states[0].shape[1])
        try check("LSTMCell", module: cell) { x in
            let next = cell(x, (h: Tensor(c.states[0]), c: Tensor(c.states[1])))
            return [next.h, next.c]
        }
    }

    func testGRUCell() throws {
        let c = try reference("GRUCell")
        let cell = GRUCell(inputSize: c.input.shape[1], hiddenSize: c.states[0].shape[1])
        try check("GRUCell", module: cell) { x in [cell(x, Tensor(c.states[0]))] }
    }

    func testLSTMPackedSequence() throws {
        let c = try reference("LSTM")
        let lstm = LSTM(inputSize: c.input.shape[2], hiddenSize: c.outputs[0].shape[2])
        try check("LSTM", module: lstm) { x in
            let result = lstm(x, lengths: c.lengths)
            return [result.output, result.h, result.c]
        }
    }

    func testGRUPackedSequence() throws {
        let c = try reference("GRU")
        let gru = GRU(inputSize: c.input.shape[2], hiddenSize: c.outputs[0].shape[2])
        try check("GRU", module: gru) { x in
            let result = gru(x, lengths: c.lengths)
            return [result.output, result.h]
        }
    }
}
