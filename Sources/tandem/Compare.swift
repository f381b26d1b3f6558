import ArgumentParser
import Foundation
import TandemCompare

/// `tandem compare`: the main job.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the same models through both frontends and compare parity, speed, memory and debuggability.",
        discussion: """
            Both frontends start from identical weights (PyTorch's default initialisers, seeded) and see the \
            same batches of the bundled MNIST. A third column, traced, records the eager module's training \
            step into one graph (traceTrainingStep) and runs that. Prints tables; --json writes the figures, --report writes a \
            self-contained HTML page with plots. Merge PyTorch/TensorFlow/JAX figures with --peers FILE \
            (made by Benchmarks/peers/run_peers.py).
            """)

    @Option(help: "Which model: mlp, cnn, lenet5, resnet (batch norm, residual blocks), lstm (digits row by row) or all (mlp and cnn).")
    var model: ModelChoice = .all

    @Option(help: "Training steps per model and frontend.")
    var steps = 200

    @Option(help: "Examples per step.")
    var batchSize = 64

    @Option(help: "Seed of the initial weights and the batch order.")
    var seed: UInt64 = 0

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    @Option(help: "Write an HTML report (index.html) into this directory.")
    var report: String?

    @Option(help: "Merge the peers script's JSON (PyTorch, TensorFlow, JAX figures).")
    var peers: String?

    @Option(help: "Write each model's initial weights (safetensors) and batch order here, for run_peers.py --tandem-export.")
    var export: String?

    @Option(help: "Write TensorBoard event files: each frontend's loss per step in DIR/<model>-<frontend>.")
    var logdir: String?

    @Flag(help: "Skip the fault catalogue (debuggability scorecard).")
    var noFaults = false

    @Flag(inversion: .prefixedNo, help: "Show progress bars (default: when standard error is a terminal).")
    var progress: Bool?

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        // Every path is checked before training, so a typo cannot lose a finished run.
        try checkOutputPath(json, option: "--json")
        try checkOutputPath(report, option: "--report", isDirectory: true)
        try checkOutputPath(export, option: "--export", isDirectory: true)
        try checkInputFile(peers, option: "--peers")
    }

    func run() throws {
        // A peers file that does not parse fails now, not after the whole run.
        let peerResults = try peers.map { try PeerResults.load(from: URL(fileURLWithPath: $0)) }
        let dataset = try ComparisonDataset.mnist()
        note("data: \(dataset.name)")
        var models: [ModelResult] = []
        for spec in model.specs {
            var comparison = Comparison(spec: spec, dataset: dataset, steps: steps, batchSize: batchSize, seed: seed)
            comparison.showProgress = progress
            if let export {
                try comparison.exportForPeers(to: URL(fileURLWithPath: export))
                note("exported \(spec.name) weights and batches to \(export)")
            }
            note("\(spec.description): \(steps) steps of \(batchSize), eager, graph, then traced (eager code run as one graph)")
            models.append(try comparison.runModel())
            if let logdir { try TensorBoardLog.write(models[models.count - 1], to: logdir) }
        }
        var scorecard: [FaultResult] = []
        if !noFaults {
            note("fault catalogue: \(Fault.allCases.count) faults x 2 frontends")
            scorecard = FaultCatalogue.run()
        }
        var result = ComparisonReport(models: models, scorecard: scorecard)
        if let peerResults { result.peers = peerResults }
        print(result.table())
        if let json {
            try result.writeJSON(to: URL(fileURLWithPath: json))
            note("wrote \(json)")
        }
        if let report {
            let url = try HTMLReport(result).write(to: URL(fileURLWithPath: report))
            note("wrote \(url.path)")
        }
    }
}
