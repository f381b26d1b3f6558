import XCTest

@testable import TandemDistributed
import TandemEager

/// DistributedDataParallel in a group of one: the wrapper must not change a single number, and
/// its bookkeeping (buckets, unused parameters, noSync) must hold without other ranks.
final class DistributedDataParallelTests: XCTestCase {
    func pair() throws -> (plain: Sequential, wrapped: DistributedDataParallel, inner: Sequential) {
        manualSeed(4)
        let plain = Sequential { Linear(6, 5); ReLU(); Linear(5, 3) }
        let inner = Sequential { Linear(6, 5); ReLU(); Linear(5, 3) }
        try inner.loadStateDict(plain.stateDict())
        return (plain, DistributedDataParallel(inner, group: .single(), bucketCapacityBytes: 64), inner)
    }

    let x = Tensor(shape: [4, 6], scalars: (0..<24).map { Float($0 % 7) / 7 - 0.4 })
    let y = Tensor(labels: [0, 2, 1, 2])

    func testGradientsAndStepsMatchTheWrappedModel() throws {
        let (plain, wrapped, _) = try pair()
        let a = SGD(plain.parameters, lr: 0.1, momentum: 0.9), b = SGD(wrapped.parameters, lr: 0.1, momentum: 0.9)
        for _ in 0..<3 {
            a.zeroGrad()
            b.zeroGrad()
            crossEntropy(plain(x), y).backward()
            crossEntropy(wrapped(x), y).backward()
            for (p, q) in zip(plain.parameters, wrapped.parameters) { XCTAssertEqual(p.grad!.scalars, q.grad!.scalars) }
            a.step()
            b.step()
        }
        XCTAssertEqual(wrapped.iteration, 3)
        XCTAssertEqual(wrapped.group.step, 3)
    }

    func testStateDictKeysCarryPyTorchsModulePrefix() throws {
        let (_, wrapped, _) = try pair()
        XCTAssertEqual(wrapped.stateDict().keys.sorted(), ["module.0.bias", "module.0.weight", "module.2.bias", "module.2.weight"])
    }

    func testBucketsRunInReverseOrderWithASmallFirstBucket() throws {
        let (_, wrapped, _) = try pair()
        // 64-byte buckets (16 floats), the first one capped at 64 bytes too: 2.bias (3 floats) +
        // 2.weight (15) close the first; 0.bias (5) + 0.weight (30) the second.
        XCTAssertEqual(wrapped.bucketNames, [["module.2.bias", "module.2.weight"], ["module.0.bias", "module.0.weight"]])
        // PyTorch's rule: a bucket closes once it reaches its capacity.
        let buckets = GradientReducer.assign([4, 2, 8, 1], firstBucketBytes: 8, bucketBytes: 32)
        XCTAssertEqual(buckets.map(\.members), [[3, 2], [1, 0]])
        XCTAssertEqual(buckets.map(\.offsets), [[0, 1], [0, 2]])
        XCTAssertEqual(buckets.map(\.count), [9, 6])
    }

    func testAParameterWithoutAGradientIsReportedAtTheNextStep() throws {
        final class HalfUsed: Module {
            let used = Linear(6, 3)
            let unused = Linear(6, 3)
            func forward(_ input: Tensor) -> Tensor { used(input) }
        }
        let model = DistributedDataParallel(HalfUsed(), group: .single())
        try checked { crossEntropy(model(x), y).backward() }
        XCTAssertThrowsError(try checked { _ = model(x) }) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("2 parameter(s) received no gradient") && text.contains("module.unused.weight"), text)
        }
    }

    func testNoSyncAccumulatesLikeTwoBackwardPasses() throws {
        let (plain, wrapped, _) = try pair()
        crossEntropy(plain(x), y).backward()
        crossEntropy(plain(x * 2), y).backward()
        wrapped.noSync { crossEntropy(wrapped(x), y).backward() }
        XCTAssertEqual(wrapped.iteration, 0, "a forward inside noSync is not a synced step")
        crossEntropy(wrapped(x * 2), y).backward()
        for (p, q) in zip(plain.parameters, wrapped.parameters) { XCTAssertEqual(p.grad!.scalars, q.grad!.scalars) }
        XCTAssertNoThrow(try checked { _ = wrapped(x) }, "the synced backward reduced every parameter")
    }

    func testEvaluationUnderNoGradIsNotAStep() throws {
        let (_, wrapped, _) = try pair()
        _ = noGrad { wrapped(x) }
        XCTAssertEqual(wrapped.iteration, 0)
    }
}
