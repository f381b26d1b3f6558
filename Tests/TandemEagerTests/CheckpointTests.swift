import XCTest

@testable import TandemEager
import TandemTestSupport

/// One checkpoint file resumes training exactly: N steps, save, load into freshly built objects,
/// M more steps gives bit-identical losses, weights and optimizer state to N + M uninterrupted
/// steps, for each optimizer with a scheduler.
final class CheckpointTests: XCTestCase {
    private let inputs = Tensor(PyTorchOptimizerReference.mlpInputs)
    private let labels = Tensor(labels: PyTorchOptimizerReference.mlpLabels)

    private func model(seed: UInt64) -> Sequential {
        manualSeed(seed)
        return Sequential {
            Linear(4, 8)
            ReLU()
            Linear(8, 3)
        }
    }

    private typealias Setup = (optimizer: ([Tensor]) -> Optimizer, scheduler: (Optimizer) -> LRScheduler)
    private let setups: [String: Setup] = [
        "AdamW + CosineAnnealingLR": ({ AdamW($0, lr: 0.02, amsgrad: true) }, { CosineAnnealingLR($0, tMax: 4, etaMin: 1e-3) }),
        "SGD Nesterov + ExponentialLR": (
            { SGD($0, lr: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true) }, { ExponentialLR($0, gamma: 0.9) }
        ),
        "RMSprop + StepLR": ({ RMSprop($0, lr: 0.01, momentum: 0.5, centered: true) }, { StepLR($0, stepSize: 3, gamma: 0.5) }),
        "Adam + StepLR": ({ Adam($0, lr: 0.01) }, { StepLR($0, stepSize: 2, gamma: 0.7) }),
    ]

    /// Trains `steps` epochs of one step each, returning the losses.
    private func train(_ model: Sequential, _ optimizer: Optimizer, _ scheduler: LRScheduler, steps: Int) -> [Float] {
        (0..<steps).map { _ in
            optimizer.zeroGrad()
            let loss = crossEntropy(model(inputs), labels)
            loss.backward()
            clipGradNorm(model.parameters, maxNorm: 1)
            optimizer.step()
            scheduler.step()
            return loss.item()
        }
    }

    func testResumingFromACheckpointIsBitIdentical() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("run.ckpt")
        for (name, setup) in setups.sorted(by: { $0.key < $1.key }) {
            let straight = model(seed: 1)
            let straightOptimizer = setup.optimizer(straight.parameters)
            let straightScheduler = setup.scheduler(straightOptimizer)
            let straightLosses = train(straight, straightOptimizer, straightScheduler, steps: 10)

            let first = model(seed: 1)
            let firstOptimizer = setup.optimizer(first.parameters)
            let firstScheduler = setup.scheduler(firstOptimizer)
            var losses = train(first, firstOptimizer, firstScheduler, steps: 5)
            try Checkpoint(model: first, optimizer: firstOptimizer, scheduler: firstScheduler, epoch: 5).save(to: url)

            // A new process would build everything afresh: other weights, fresh optimizer state.
            let resumed = model(seed: 99)
            let resumedOptimizer = setup.optimizer(resumed.parameters)
            let resumedScheduler = setup.scheduler(resumedOptimizer)
            let checkpoint = try Checkpoint(contentsOf: url)
            try checkpoint.restore(model: resumed, optimizer: resumedOptimizer, scheduler: resumedScheduler)
            XCTAssertEqual(checkpoint.epoch, 5)
            losses += train(resumed, resumedOptimizer, resumedScheduler, steps: 10 - checkpoint.epoch)

            XCTAssertEqual(losses, straightLosses, "\(name): losses")
            XCTAssertEqual(resumed.stateDict(), straight.stateDict(), "\(name): weights")
            XCTAssertEqual(resumedOptimizer.stateDict(), straightOptimizer.stateDict(), "\(name): optimizer state")
            XCTAssertEqual(resumedScheduler.stateDict(), straightScheduler.stateDict(), "\(name): scheduler state")
        }
    }

    func testTheFileIsSafetensorsWithPrefixedKeysAndMetadata() throws {
        let directory = try temporaryDirectory(self)
        let url = directory.appendingPathComponent("run.ckpt")
        let net = model(seed: 2)
        let optimizer = SGD(net.parameters, lr: 0.1, momentum: 0.9)
        let scheduler = ExponentialLR(optimizer, gamma: 0.5)
        _ = train(net, optimizer, scheduler, steps: 2)
        try Checkpoint(model: net, optimizer: optimizer, scheduler: scheduler, epoch: 2, metadata: ["run": "demo"]).save(to: url)
        let (tensors, metadata) = try SafeTensors.decodeWithMetadata(Data(contentsOf: url), path: url.path)
        XCTAssertEqual(metadata, [
            "format": "pt", "tandem.checkpoint": "1", "epoch": "2", "optimizer": "SGD", "scheduler": "ExponentialLR", "run": "demo",
        ])
        XCTAssertEqual(tensors["model.0.weight"], net.stateDict()["0.weight"])
        XCTAssertEqual(tensors["optimizer.state.0.momentum_buffer"], optimizer.stateDict()["state.0.momentum_buffer"])
        XCTAssertEqual(tensors["scheduler.gamma"], NDArray(0.5))
        XCTAssertEqual(tensors.count, net.stateDict().count + optimizer.stateDict().count + scheduler.stateDict().count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["run.ckpt"], "no temporary file left")
        XCTAssertEqual(try Checkpoint(contentsOf: url).metadata, ["run": "demo"])
    }

    func testRestoreIsAllOrNothing() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("run.ckpt")
        let net = model(seed: 3)
        let optimizer = Adam(net.parameters, lr: 0.01)
        let scheduler = StepLR(optimizer, stepSize: 2)
        _ = train(net, optimizer, scheduler, steps: 3)
        try Checkpoint(model: net, optimizer: optimizer, scheduler: scheduler, epoch: 3).save(to: url)
        let checkpoint = try Checkpoint(contentsOf: url)

        let fresh = model(seed: 4)
        let before = fresh.stateDict()
        let sgd = SGD(fresh.parameters, lr: 0.1)
        XCTAssertThrowsError(try checkpoint.restore(model: fresh, optimizer: sgd, scheduler: StepLR(sgd, stepSize: 2))) {
            XCTAssertTrue("\($0)".contains("holds a Adam state but the optimizer is a SGD"), "\($0)")
        }
        let adam = Adam(fresh.parameters)
        XCTAssertThrowsError(try checkpoint.restore(model: fresh, optimizer: adam)) {
            XCTAssertTrue("\($0)".contains("pass the scheduler"), "\($0)")
        }
        // The scheduler state fails after the model and optimizer loaded: both are rolled back.
        var broken = checkpoint
        broken.scheduler!["step_size"] = NDArray(0)
        XCTAssertThrowsError(try broken.restore(model: fresh, optimizer: adam, scheduler: StepLR(adam, stepSize: 2)))
        XCTAssertEqual(fresh.stateDict(), before)
        XCTAssertEqual(adam.stateDict(), Adam(fresh.parameters).stateDict())
        // A model of another architecture: nothing changes either.
        let wider = Sequential {
            Linear(4, 16)
            ReLU()
            Linear(16, 3)
        }
        XCTAssertThrowsError(try checkpoint.restore(model: wider, optimizer: Adam(wider.parameters), scheduler: nil))
    }

    func testBadFilesAndArgumentsAreClearErrors() throws {
        let directory = try temporaryDirectory(self)
        let plain = directory.appendingPathComponent("weights.safetensors")
        try save(model(seed: 5).stateDict(), to: plain)
        XCTAssertThrowsError(try Checkpoint(contentsOf: plain)) { XCTAssertTrue("\($0)".contains("not a Tandem checkpoint"), "\($0)") }

        let url = directory.appendingPathComponent("run.ckpt")
        let net = model(seed: 5)
        let optimizer = SGD(net.parameters, lr: 0.1)
        try Checkpoint(model: net, optimizer: optimizer, epoch: 1).save(to: url)
        let bytes = try Data(contentsOf: url)
        let truncated = directory.appendingPathComponent("truncated.ckpt")
        try bytes.prefix(bytes.count - 10).write(to: truncated)
        XCTAssertThrowsError(try Checkpoint(contentsOf: truncated)) { error in
            guard case TandemError.file(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, truncated.path)
        }
        XCTAssertThrowsError(try Checkpoint(contentsOf: directory.appendingPathComponent("missing.ckpt")))
        let loaded = try Checkpoint(contentsOf: url)
        XCTAssertNil(loaded.scheduler)
        XCTAssertThrowsError(try loaded.restore(model: net, optimizer: optimizer, scheduler: StepLR(optimizer, stepSize: 1)))

        var reserved = loaded
        reserved.metadata["epoch"] = "7"
        XCTAssertThrowsError(try reserved.save(to: url)) { XCTAssertTrue("\($0)".contains("reserved"), "\($0)") }
    }
}
