import ArgumentParser
import Foundation
import TandemCompare

/// `tandem soak`: a long training run per frontend with the resident set size sampled as it goes.
struct Soak: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train for many steps in each frontend and print the resident set size (RSS) as it goes, to find leaks.",
        discussion: """
            RSS comes from /proc/self/statm (getrusage's peak where /proc is missing). The verdict is the growth \
            after warm-up (the first --warm-up fraction of the steps): end minus start in MB, and the least-squares \
            slope in MB per 1000 steps. Build with -c release: `swift run -c release tandem soak --frontend both`.
            """)

    /// The frontends a soak can run.
    enum Frontends: String, ExpressibleByArgument, CaseIterable {
        case eager, graph, both
    }

    @Option(help: "mlp or cnn (cnn is slow: about 10x the MLP's time per step).")
    var model: ModelChoice = .mlp

    @Option(help: "eager, graph or both (one after the other, in one process).")
    var frontend: Frontends = .both

    @Option(help: "Training steps per frontend.")
    var steps = 10_000

    @Option(help: "Steps between RSS samples.")
    var every = 500

    @Option(help: "The fraction of the steps counted as warm-up, before growth is measured.")
    var warmUp = 0.1

    @Option(help: "Write the curves and verdicts as JSON to this file.")
    var json: String?

    func validate() throws {
        guard model == .mlp || model == .cnn else { throw ValidationError("--model must be mlp or cnn") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        guard warmUp >= 0 && warmUp < 1 else { throw ValidationError("--warm-up must be in 0..<1") }
    }

    func run() throws {
        let train = try ComparisonDataset.mnist(.train)
        let spec = model.specs[0]
        let frontends: [ReferenceTraining.Frontend] = frontend == .both ? [.eager, .graph] : frontend == .eager ? [.eager] : [.graph]
        var results: [SoakRun.Result] = []
        for frontend in frontends {
            var soak = SoakRun(spec: spec, frontend: frontend)
            soak.steps = steps
            soak.every = every
            soak.warmUpFraction = warmUp
            print("\(spec.description), \(frontend.rawValue) frontend, \(steps) steps, RSS every \(every) steps")
            let result = try soak.run(train: train) { sample in
                print(String(format: "  step %6d  RSS %8.1f MB", sample.step, Double(sample.residentBytes) / 1e6))
                fflush(stdout)
            }
            print(Self.verdict(result))
            results.append(result)
        }
        if let json {
            try writeJSON(["runs": results.map(\.jsonObject)], to: json)
        }
    }

    /// One line: growth after warm-up in MB and MB per 1000 steps, and the speed.
    static func verdict(_ result: SoakRun.Result) -> String {
        let peakNote = result.source == .maxrss ? " (peak RSS: getrusage, /proc unavailable)" : ""
        return String(
            format: "%@: RSS growth after warm-up (step %d): %+.1f MB, %+.3f MB per 1000 steps; %.0f steps/s, final loss %.4f%@",
            result.frontend.rawValue, result.warmUpStep, Double(result.growthBytes) / 1e6,
            result.growthBytesPerThousandSteps / 1e6, Double(result.steps) / max(result.seconds, 1e-9), result.finalLoss,
            peakNote)
    }
}
