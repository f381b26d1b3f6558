import ArgumentParser
import TandemCompare

/// `tandem`: run identical models through the eager and the graph frontend and compare them.
struct Tandem: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Compare define-by-run (eager) and define-then-run (graph) training on the same models.",
        discussion: """
            Start with `tandem compare`: it trains an MLP and a small CNN on the bundled MNIST through both \
            frontends from identical weights, and reports loss parity, speed, memory and a debuggability \
            scorecard (add --report DIR for an HTML page, --json FILE for numbers).
            """,
        subcommands: [Compare.self, Train.self, DebugDemo.self, Bench.self, DistributedFault.self, Soak.self],
        defaultSubcommand: nil)
}

Tandem.main()
