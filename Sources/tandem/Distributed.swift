import ArgumentParser
import Foundation
import TandemCompare

/// " over 2 ranks (mpirun), batch 32 per rank = 64 per step", for the header of `train`.
func distributedNote(_ group: ProcessGroup, batchSize: Int) -> String {
    guard group.usesMPI else { return " (--distributed without mpirun: one rank)" }
    return ", data-parallel over \(group.size) ranks, batch \(batchSize) per rank = \(batchSize * group.size) per step"
}

/// The JSON `train --json` writes: the recipe, the per-step training losses (averaged over the
/// ranks when distributed) and each epoch's test accuracy.
func trainingReport(_ training: ReferenceTraining, frontend: String, epochs: [ReferenceTraining.Epoch]) -> [String: Any] {
    let ranks = training.group?.size ?? 1
    return [
        "model": training.spec.name, "frontend": frontend, "ranks": ranks, "batch_size": training.batchSize,
        "global_batch_size": training.batchSize * ranks, "learning_rate": Double(training.learningRate),
        "momentum": Double(training.momentum), "seed": Int(training.seed),
        "losses": epochs.flatMap(\.losses),
        "test_accuracy": epochs.map(\.testAccuracy),
        "epochs": epochs.map { epoch -> [String: Any] in
            ["epoch": epoch.number, "steps": epoch.losses.count, "mean_loss": epoch.meanLoss,
             "test_accuracy": epoch.testAccuracy, "seconds": epoch.seconds]
        },
    ]
}

/// `tandem distributed-fault`: one rank of a distributed fault program (hidden; the fault
/// catalogue starts it with `mpirun -np 2` and reads the reports it writes).
struct DistributedFault: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distributed-fault",
        abstract: "Run one rank of a distributed fault program (started by the fault catalogue under mpirun).",
        shouldDisplay: false)

    @Argument(help: "The fault: uneven_batches or replicas_differ.")
    var fault: String

    @Option(help: "eager or graph.")
    var frontend: FrontendChoice = .eager

    @Flag(help: "Run the fault-free twin.")
    var twin = false

    @Option(help: "Directory for the rank's report (rank-N.json).")
    var output: String

    func run() throws {
        try DistributedFaults.runRank(
            fault: fault, frontend: frontend.rawValue, twin: twin, directory: URL(fileURLWithPath: output))
    }
}

/// `tandem bench --distributed`: runs the distributed benchmark as a 1-rank and a 2-rank
/// `mpirun` job of this executable (each rank with cores / ranks BLAS threads), then prints the
/// two side by side, the network the 2-rank allreduce times fit, and the ring-allreduce model's
/// figures for larger rings.
func runDistributedBench(repetitions: Int, steps: Int, json: String?) throws {
    guard let launcher = MPILauncher(), let tandem = MPILauncher.tandemExecutable() else {
        note("mpirun (or the tandem executable) not found: measuring one process only")
        var benchmark = DistributedBenchmark()
        benchmark.repetitions = repetitions
        benchmark.steps = steps
        let rows = try benchmark.run(group: .single(), dataset: try ComparisonDataset.mnist(), progress: { note($0) })
        return try report(rows, json: json)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    var rows: [DistributedBenchmark.Row] = []
    for ranks in [1, 2] {
        note("\(ranks) rank\(ranks > 1 ? "s" : ""): mpirun -np \(ranks) (\(max(1, cores / ranks)) BLAS thread(s) per rank)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try launcher.run(
            ranks: ranks, executable: tandem,
            arguments: ["bench", "--distributed-worker", "--repetitions", String(repetitions), "--steps", String(steps),
                        "--json", file.path],
            environment: ["OPENBLAS_NUM_THREADS": String(max(1, cores / ranks))], timeout: 3600)
        guard run.status == 0, let data = try? Data(contentsOf: file) else {
            throw TandemError.invalidValue(
                op: "bench --distributed", reason: "the \(ranks)-rank job failed (status \(run.status)):\n\(run.output.suffix(2000))",
                location: nil)
        }
        rows += try JSONDecoder().decode([DistributedBenchmark.Row].self, from: data)
    }
    try report(rows, json: json)
}

/// One rank of `tandem bench --distributed` (hidden): measures, and rank 0 writes the rows.
func runDistributedBenchWorker(repetitions: Int, steps: Int, output: String?) throws {
    let group = ProcessGroup.world
    var benchmark = DistributedBenchmark()
    benchmark.repetitions = repetitions
    benchmark.steps = steps
    let rows = try benchmark.run(group: group, dataset: try ComparisonDataset.mnist(), progress: { note("  \($0)") })
    if group.rank == 0, let output {
        let data = try JSONEncoder().encode(rows)
        try writeAtomically(data, to: URL(fileURLWithPath: output))
    }
}

/// Prints the rows side by side by rank count, the fitted network and the ring model's table.
private func report(_ rows: [DistributedBenchmark.Row], json: String?) throws {
    let rankCounts = Array(Set(rows.map(\.ranks))).sorted()
    var tasks: [String] = []
    for row in rows where !tasks.contains(row.task) { tasks.append(row.task) }
    var table = TerminalTable(
        ["task"] + rankCounts.map { "\($0) rank\($0 > 1 ? "s" : "") (ms)" } + ["throughput", "note"],
        alignRight: [false] + rankCounts.map { _ in true } + [false, false])
    for task in tasks {
        let byRanks = Dictionary(rows.filter { $0.task == task }.map { ($0.ranks, $0) }) { a, _ in a }
        let cells = rankCounts.map { byRanks[$0].map { String(format: "%.3f", $0.median) } ?? "-" }
        var throughput = "", detail = ""
        if let one = byRanks[1]?.examplesPerSecond, let two = byRanks[2]?.examplesPerSecond {
            throughput = String(format: "%.0f -> %.0f ex/s (x%.2f)", one, two, two / one)
        } else if let row = byRanks[2] ?? byRanks[1], let rate = row.examplesPerSecond {
            throughput = String(format: "%.0f ex/s", rate)
        }
        if let row = byRanks[2], let bytes = row.bytes {
            // Bus bandwidth (nccl-tests): what each link carries in a ring, 2(n-1)/n of the data.
            let algorithm = Double(bytes) / (row.median / 1000) / 1e9
            let n = Double(row.ranks)
            detail = String(format: "%.2f GB/s algorithm, %.2f GB/s bus", algorithm, algorithm * 2 * (n - 1) / n)
        }
        table.append([task] + cells + [throughput, detail])
    }
    print(table.render(), terminator: "")
    let samples = rows.filter { $0.ranks == 2 && $0.bytes != nil }.map { (bytes: $0.bytes!, seconds: $0.median / 1000) }
    let fitted = RingAllreduceModel.fit(samples, ranks: 2, name: "this machine (shared memory)")
    if let fitted {
        print(String(format: "\nFitted to the 2-rank allreduce times: latency %.1f µs, bandwidth %.2f GB/s (%@).",
                     fitted.latency * 1e6, fitted.bandwidth / 1e9, fitted.name))
    }
    print("\nRing allreduce model, time per step's gradient averaging (fused: one call; unfused: one call per tensor):")
    print(ringModelTable().render(), terminator: "")
    if let json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(rows), to: URL(fileURLWithPath: json), createDirectory: true)
    }
}

/// The models of the planning table: gradient bytes and parameter tensors.
func plannedModels() -> [(name: String, bytes: Int, tensors: Int)] {
    let mlp = ModelSpec(name: "mlp")!, cnn = ModelSpec.simpleCNN
    return [
        ("MLP 784-512-256-10", mlp.parameterCount * 4, mlp.parameterNames.count),
        ("simple CNN", cnn.parameterCount * 4, cnn.parameterNames.count),
        // ModelSpec.resnet is not on main yet: planned as a small ResNet-style network,
        // estimated at ResNet-20's size (0.27 M parameters in 59 tensors with batch norm).
        ("ResNet-style (est. ResNet-20)", 272_474 * 4, 59),
    ]
}

/// Milliseconds per step of gradient averaging at 8, 64 and 512 ranks on the common links.
func ringModelTable() -> TerminalTable {
    let ranks = [8, 64, 512]
    var table = TerminalTable(
        ["model", "gradient", "link"] + ranks.map { "\($0) ranks fused / unfused (ms)" },
        alignRight: [false, true, false] + ranks.map { _ in true })
    for model in plannedModels() {
        for link in RingAllreduceModel.Link.common {
            let cells = ranks.map { n in
                String(format: "%.2f / %.2f",
                       RingAllreduceModel.seconds(bytes: model.bytes, ranks: n, link: link) * 1000,
                       RingAllreduceModel.seconds(bytes: model.bytes, ranks: n, link: link, calls: model.tensors) * 1000)
            }
            table.append([model.name, DistributedBenchmark.formatBytes(model.bytes), link.name] + cells)
        }
    }
    return table
}
