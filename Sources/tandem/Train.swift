import ArgumentParser
import Foundation
import TandemCompare

/// `tandem train`: the reference recipe in one frontend, with test accuracy per epoch.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on the bundled MNIST with the reference recipe and print test accuracy per epoch.",
        discussion: """
            Recipe: pixels / 255, batch 64, SGD lr 0.05 momentum 0.9; 10 epochs for the MLP, 5 for the CNN. \
            Data-parallel: `mpirun -np 2 tandem train --distributed --batch-size 32` (DistributedDataParallel for \
            eager, DistributedOptimizer for graph) gives the losses of `tandem train --batch-size 64`.
            """)

    @Option(help: "eager (PyTorch-style Module) or graph (TensorFlow-1-style session).")
    var frontend: FrontendChoice = .eager

    @Option(help: "mlp, cnn, lenet5 or resnet.")
    var model: ModelChoice = .mlp

    @Option(help: "Passes over the training set (default: 10 for the MLP, 5 for the CNNs).")
    var epochs: Int?

    @Option(help: "Examples per step (per rank with --distributed).")
    var batchSize = 64

    @Option(help: "SGD learning rate.")
    var lr: Float = 0.05

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "Seed of the initial weights and the shuffling.")
    var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Show a progress bar (default: when standard error is a terminal).")
    var progress: Bool?

    @Option(help: "Stop after this many steps in all (default: every epoch in full).")
    var steps: Int?

    @Option(help: "Write the per-step losses and per-epoch test accuracy as JSON to this file (rank 0 writes).")
    var json: String?

    @Option(help: "Write TensorBoard event files to DIR/<model>-<frontend> (loss per step, test accuracy per epoch); train each frontend into one DIR to see their curves side by side.")
    var logdir: String?

    @Flag(help: "Train data-parallel over the ranks mpirun started (--batch-size is then per rank).")
    var distributed = false

    func validate() throws {
        guard model != .all else { throw ValidationError("--model must be one model: mlp, cnn, lenet5 or resnet") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard lr >= 0 else { throw ValidationError("--lr must not be negative") }
        guard momentum >= 0 else { throw ValidationError("--momentum must not be negative") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        try checkOutputPath(json, option: "--json")
    }

    func run() throws {
        let spec = model.specs[0]
        var training = ReferenceTraining(
            spec: spec, frontend: frontend == .eager ? .eager : .graph, epochs: epochs)
        training.batchSize = batchSize
        training.learningRate = lr
        training.momentum = momentum
        training.seed = seed
        training.maxSteps = steps
        training.group = distributed ? ProcessGroup.world : nil
        let isRoot = training.group?.rank ?? 0 == 0
        let train = try ComparisonDataset.mnist(.train)
        let test = try ComparisonDataset.mnist(.test)
        if isRoot {
            print("\(spec.description), \(frontend.rawValue) frontend, \(training.epochs) epochs on \(train.name)"
                + (training.group.map { distributedNote($0, batchSize: batchSize) } ?? ""))
        }
        var bar: ProgressBar?
        let writer = try logdir.flatMap { dir in
            isRoot ? try SummaryWriter(logDir: TensorBoardLog.runDirectory(dir, model: spec.name, frontend: frontend.rawValue)) : nil
        }
        var globalStep = 0
        let epochs = try training.run(
            train: train, test: test,
            onStep: { step, total, loss in
                if step == 1 && isRoot { bar = ProgressBar(total: total, label: "epoch", enabled: progress) }
                bar?.update(step, note: String(format: "loss %.4f", loss))
                writer?.addScalar("loss", Float(loss), step: globalStep)
                globalStep += 1
            },
            onEpoch: { epoch in
                bar?.finish()
                writer?.addScalar("test_accuracy", Float(epoch.testAccuracy), step: epoch.number)
                writer?.flush()
                guard isRoot else { return }
                print(String(
                    format: "epoch %2d  mean loss %.4f  test accuracy %.4f  (%.1f s)",
                    epoch.number, epoch.meanLoss, epoch.testAccuracy, epoch.seconds))
            })
        if let writer {
            writer.close()
            note("wrote \(writer.fileURL.path)")
        }
        if let json, isRoot {
            try writeJSON(trainingReport(training, frontend: frontend.rawValue, epochs: epochs), to: json)
        }
    }
}
