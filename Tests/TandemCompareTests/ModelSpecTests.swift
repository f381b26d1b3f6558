import XCTest
@testable import TandemCompare

final class ModelSpecTests: XCTestCase {
    func testStateDictKeysFollowPyTorch() {
        XCTAssertEqual(
            ModelSpec.mlp([784, 512, 256, 10]).parameterNames,
            ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        XCTAssertEqual(ModelSpec.simpleCNN.parameterNames, ["0.weight", "0.bias", "4.weight", "4.bias", "6.weight", "6.bias"])
        XCTAssertEqual(ModelSpec.lenet5.parameterNames.count, 10)
        // 784*512+512 + 512*256+256 + 256*10+10, counted by hand.
        XCTAssertEqual(ModelSpec.mlp([784, 512, 256, 10]).parameterCount, 535_818)
        // conv 32*9+32, linear 5408*128+128, 128*10+10.
        XCTAssertEqual(ModelSpec.simpleCNN.parameterCount, 320 + 692_352 + 1_290)
    }

    func testInitialWeightsAreSeededAndWithinPyTorchBounds() {
        let spec = ModelSpec.mlp([20, 8, 3])
        let a = spec.initialWeights(seed: 5), b = spec.initialWeights(seed: 5), c = spec.initialWeights(seed: 6)
        XCTAssertEqual(a.map(\.value), b.map(\.value))
        XCTAssertNotEqual(a.map(\.value), c.map(\.value))
        XCTAssertEqual(a.map(\.value.shape), [[8, 20], [8], [3, 8], [3]])
        // kaiming_uniform(a=sqrt(5)) and the default bias both give bounds of 1/sqrt(fan_in).
        for (name, value) in a {
            let fanIn = name.hasPrefix("0.") ? 20.0 : 8.0
            let bound = Float(1 / fanIn.squareRoot())
            XCTAssertTrue(value.scalars.allSatisfy { abs($0) <= bound }, name)
            XCTAssertGreaterThan(value.scalars.map { abs($0) }.max()!, bound * 0.5, name)
        }
    }

    func testBothFrontendsAndTheModuleStartFromTheSameNumbers() throws {
        let spec = ModelSpec.mlp([12, 6, 4])
        let weights = spec.initialWeights(seed: 1)
        let eager = Parameters(weights) { Tensor($1, requiresGrad: true) }
        XCTAssertEqual(eager.values.map(\.array), weights.map(\.value))

        let graph = Graph()
        let variables = Parameters(weights) { graph.variable($1, name: $0) }
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        for (node, expected) in zip(variables.values, weights) {
            XCTAssertEqual(try session.value(of: node), expected.value, expected.name)
        }

        let module = try spec.makeModule(weights: weights)
        let state = module.stateDict()
        XCTAssertEqual(Set(state.keys), Set(spec.parameterNames))
        for (name, value) in weights { XCTAssertEqual(state[name], value, name) }
    }

    func testGenericForwardGivesTheSameLogitsInBothFrontendsAndTheModule() throws {
        let spec = ModelSpec.mlp([12, 6, 4])
        let weights = spec.initialWeights(seed: 2)
        let x = NDArray(shape: [3, 12], scalars: (0..<36).map { Float($0 % 7) / 7 })
        let eager = try checked { spec.forward(Tensor(x), Parameters(weights) { Tensor($1) }).array }
        let module = try spec.makeModule(weights: weights)
        let viaModule = try checked { module(Tensor(x)).array }

        let graph = Graph()
        let input = graph.placeholder(shape: [nil, 12], name: "x")
        let logits = spec.forward(input, Parameters(weights) { graph.variable($1, name: $0) })
        let session = Session(graph: graph)
        try session.run(graph.initializeVariables())
        let symbolic = try session.run(logits, feed: [input: x])

        // Independent truth: the same MLP with naive loops.
        func affine(_ input: [Float], _ rows: Int, _ w: NDArray, _ b: NDArray) -> [Float] {
            let (o, i) = (w.shape[0], w.shape[1])
            var out = [Float](repeating: 0, count: rows * o)
            for r in 0..<rows { for j in 0..<o {
                var s = b.scalars[j]
                for k in 0..<i { s += input[r * i + k] * w.scalars[j * i + k] }
                out[r * o + j] = s
            } }
            return out
        }
        let hidden = affine(x.scalars, 3, weights[0].value, weights[1].value).map { max($0, 0) }
        let expected = affine(hidden, 3, weights[2].value, weights[3].value)
        for (name, value) in [("eager", eager), ("module", viaModule), ("graph", symbolic)] {
            XCTAssertEqual(value.shape, [3, 4], name)
            for (a, b) in zip(value.scalars, expected) { XCTAssertEqual(a, b, accuracy: 1e-5, name) }
        }
    }
}
