import ArgumentParser
import Foundation
import TandemCompare

/// `tandem bench`: the training-step and tiny-op benchmarks.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time the MLP and CNN training steps (batch 64) eager vs graph, peak bytes, and tiny-op overhead.",
        discussion: "Medians of several repetitions, contenders interleaved. Build with -c release for meaningful numbers. Benchmarks/peers/bench_peers.py runs this with PyTorch, TensorFlow and JAX and prints the ratios.")

    @Option(help: "Repetitions per contender.")
    var repetitions = 5

    @Option(help: "Training steps per repetition.")
    var steps = 20

    @Option(help: "Only these task groups, comma-separated: mlp, cnn, tiny, batchnorm, controlflow (default: all).")
    var only: String?

    @Option(help: "Write the rows as JSON to this file.")
    var json: String?

    @Flag(help: "Measure data-parallel training instead: allreduce bandwidth and step time on 1 and 2 ranks (needs mpirun).")
    var distributed = false

    @Flag(help: .hidden)
    var distributedWorker = false

    func validate() throws {
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        try checkOutputPath(json, option: "--json")
    }

    func run() throws {
        if distributedWorker { return try runDistributedBenchWorker(repetitions: repetitions, steps: steps, output: json) }
        if distributed { return try runDistributedBench(repetitions: repetitions, steps: steps, json: json) }
        var benchmark = Benchmark()
        benchmark.repetitions = repetitions
        benchmark.stepsPerRepetition = steps
        if let only { benchmark.groups = Set(only.split(separator: ",").map { String($0) }) }
        let rows = try benchmark.run(dataset: try ComparisonDataset.mnist(), progress: { note($0) })
        var table = TerminalTable(["task", "median", "min", "max", "unit", "peak MB"], alignRight: [false, true, true, true, false, true])
        for row in rows {
            table.append([
                row.task, String(format: "%.3f", row.median), String(format: "%.3f", row.minimum), String(format: "%.3f", row.maximum),
                row.unit, row.peakBytes.map { String(format: "%.2f", Double($0) / 1e6) } ?? "-",
            ])
        }
        print(table.render(), terminator: "")
        if let json {
            let object = rows.map { row -> [String: Any] in
                ["task": row.task, "median": row.median, "min": row.minimum, "max": row.maximum, "unit": row.unit,
                 "peak_bytes": row.peakBytes ?? NSNull()]
            }
            try writeJSON(["rows": object], to: json)
        }
    }
}
