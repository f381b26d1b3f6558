import ArgumentParser
import Foundation
import TandemCompare

/// `tandem soak`: a long run that watches memory.
struct Soak: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train each frontend for many steps and print the resident set size (RSS) every N steps.",
        discussion: """
            A leak (a tape kept alive, a graph that grows, a buffer never freed) shows as an RSS that keeps \
            climbing after the first steps' warm-up. Prints one line per sample, then the growth from the \
            first sample after warm-up to the last.
            """)

    @Option(help: "Training steps per frontend.")
    var steps = 10_000

    @Option(help: "Print the RSS every this many steps.")
    var every = 1_000

    @Option(help: "Which model: mlp, cnn or lenet5.")
    var model: ModelChoice = .mlp

    @Option(help: "One frontend (eager or graph); both when omitted.")
    var frontend: FrontendChoice?

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard every >= 1 else { throw ValidationError("--every must be at least 1") }
        guard model != .all else { throw ValidationError("--model must be one model: mlp, cnn or lenet5") }
    }

    func run() throws {
        let train = try ComparisonDataset.mnist(.train)
        let test = try ComparisonDataset.mnist(.test)
        let spec = model.specs[0]
        for choice in frontend.map({ [$0] }) ?? FrontendChoice.allCases {
            let stepsPerEpoch = max(1, train.count / 64)
            var training = ReferenceTraining(
                spec: spec, frontend: choice == .eager ? .eager : .graph, epochs: steps / stepsPerEpoch + 1)
            training.maxSteps = steps
            print("\(spec.description), \(choice.rawValue) frontend, \(steps) steps of \(training.batchSize)")
            print("step      RSS MB   loss")
            var done = 0
            var samples: [(step: Int, megabytes: Double)] = []
            _ = try training.run(train: train, test: test, onStep: { _, _, loss in
                done += 1
                if done % every == 0 || done == 1 {
                    let megabytes = Double(residentBytes()) / 1_048_576
                    samples.append((done, megabytes))
                    print(String(format: "%-8d %8.1f   %.4f", done, megabytes, loss))
                }
            })
            // Warm-up: the first tenth of the run (buffers, plans and caches are made there).
            if let warm = samples.first(where: { $0.step >= steps / 10 }), let last = samples.last {
                print(String(format: "%@: RSS %.1f MB at step %d, %.1f MB at step %d (%+.1f MB after warm-up)",
                             choice.rawValue, warm.megabytes, warm.step, last.megabytes, last.step, last.megabytes - warm.megabytes))
            }
        }
    }
}

/// The process's resident set size in bytes (Linux `/proc/self/statm`; 0 where unavailable).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
