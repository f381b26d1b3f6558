import XCTest

@testable import TandemEager

/// A user-defined module: parameters and children found by reflection, as in PyTorch.
final class TwoLayer: Module {
    let fc1 = Linear(4, 3)
    let fc2 = Linear(3, 2)
    let scale = Tensor(shape: [1], scalars: [2], requiresGrad: true)
    let constant = Tensor(shape: [1], scalars: [1])  // not a parameter: no requiresGrad
    func forward(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) * scale }
}

final class ModuleTests: XCTestCase {
    func testSequentialKeysFollowPyTorch() {
        let model = Sequential {
            Linear(4, 8)
            ReLU()
            Linear(8, 3)
        }
        XCTAssertEqual(model.namedParameters.map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model.parameters.map(\.shape), [[8, 4], [8], [3, 8], [3]])
        XCTAssertEqual(Set(model.stateDict().keys), ["0.weight", "0.bias", "2.weight", "2.bias"])
        XCTAssertEqual(model(Tensor(NDArray(zeros: [5, 4]))).shape, [5, 3])
    }

    func testArrayInitAndBuilderControlFlow() {
        let deep = true
        let model = Sequential {
            Linear(2, 2)
            if deep {
                Tanh()
                Linear(2, 2)
            }
            for _ in 0..<2 { Sigmoid() }
        }
        XCTAssertEqual(model.count, 5)
        XCTAssertEqual(Sequential([Linear(2, 2), ReLU()]).count, 2)
    }

    func testReflectedModuleNamesParameters() {
        let model = TwoLayer()
        // A module's own parameters come first, then its children's (PyTorch's named_parameters order).
        XCTAssertEqual(model.namedParameters.map(\.0), ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(model.children.map(\.0), ["fc1", "fc2"])
        XCTAssertEqual(model(Tensor(NDArray(ones: [1, 4]))).shape, [1, 2])
    }

    func testLinearInitMatchesPyTorchBounds() {
        manualSeed(0)
        let layer = Linear(100, 20)
        let bound = 1 / Float(100).squareRoot()
        XCTAssertTrue(layer.weight.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertTrue(layer.bias!.scalars.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(layer.weight.scalars.map(abs).max()!, bound * 0.9)
        // Same seed, same weights.
        manualSeed(0)
        XCTAssertEqual(Linear(100, 20).weight.scalars, layer.weight.scalars)
        XCTAssertNil(Linear(3, 2, bias: false).bias)
        XCTAssertEqual(Linear(3, 2, bias: false).namedParameters.map(\.0), ["weight"])
    }

    func testLinearAcceptsBatchedInput() {
        let layer = Linear(3, 2)
        let x = Tensor(NDArray(ones: [2, 4, 3]))
        let y = layer(x)
        XCTAssertEqual(y.shape, [2, 4, 2])
        assertClose(y.scalars, Array(repeating: layer(Tensor(NDArray(ones: [1, 3]))).scalars, count: 8).flatMap { $0 })
    }

    func testConvNetShapes() {
        let model = Sequential {
            Conv2d(1, 4, kernelSize: 3, padding: 1)
            ReLU()
            MaxPool2d(kernelSize: 2)
            Flatten()
            Linear(4 * 4 * 4, 10)
        }
        XCTAssertEqual(model(Tensor(NDArray(zeros: [2, 1, 8, 8]))).shape, [2, 10])
        XCTAssertEqual(model.namedParameters.map(\.0), ["0.weight", "0.bias", "4.weight", "4.bias"])
        XCTAssertEqual(model.parameters[0].shape, [4, 1, 3, 3])
    }

    func testTrainEvalControlsDropout() {
        let model = Sequential {
            Linear(4, 4)
            Dropout(p: 0.5)
        }
        XCTAssertTrue(model.isTraining)
        let x = Tensor(NDArray(ones: [50, 4]))
        model.eval()
        XCTAssertFalse(model.isTraining)
        XCTAssertFalse(model[1].isTraining)
        let a = noGrad { model(x) }.scalars
        let b = noGrad { model(x) }.scalars
        XCTAssertEqual(a, b, "no dropout in eval mode")
        model.train()
        XCTAssertTrue(model[1].isTraining)
        let dropped = noGrad { Dropout(p: 0.5)(x) }.scalars
        XCTAssertTrue(dropped.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertTrue(dropped.contains(0) && dropped.contains(2))
    }

    func testForwardHooksSeeEveryLayer() {
        let model = Sequential {
            Linear(3, 2)
            ReLU()
        }
        var seen: [[Int]] = []
        let handle = model[0].registerForwardHook { module, input, output in
            XCTAssertTrue(module is Linear)
            seen.append(input.shape + output.shape)
        }
        _ = model(Tensor(NDArray(ones: [5, 3])))
        XCTAssertEqual(seen, [[5, 3, 5, 2]])
        handle.remove()
        _ = model(Tensor(NDArray(ones: [5, 3])))
        XCTAssertEqual(seen.count, 1)
        XCTAssertEqual(ModuleRegistry.forwardHookCount, 0)
    }

    func testModuleZeroGrad() {
        let model = Linear(2, 1)
        model(Tensor(NDArray(ones: [1, 2]))).sum().backward()
        XCTAssertNotNil(model.weight.grad)
        model.zeroGrad()
        XCTAssertNil(model.weight.grad)
    }
}
