import ArgumentParser
import Foundation
import TandemCompare

/// `tandem debug-demo`: the fault catalogue, showing what each frontend tells the user.
struct DebugDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-demo",
        abstract: "Run the catalogue of injected faults in both frontends and show what each one reports.",
        discussion: """
            Each fault is a small real training program with one classic mistake (a wrong shape, a NaN, \
            a forgotten zeroGrad, ...). For each frontend: when the mistake surfaced (construction, run, \
            never), the message, and whether it names the op, the shapes and the faulty source line.
            """)

    @Option(help: "Write the scorecard as JSON to this file.")
    var json: String?

    func run() throws {
        let results = FaultCatalogue.run()
        for fault in Fault.allCases {
            print("■ \(fault.title)")
            for r in results where r.fault == fault.rawValue {
                let verdict = r.applicable ? (r.detected ? "detected at \(r.when.rawValue)" : "NOT detected") : "n/a"
                print("  \(r.frontend.padding(toLength: 6, withPad: " ", startingAt: 0)) \(verdict)"
                    + (r.detected ? "  [op \(r.namesOp ? "✓" : "✗") shapes \(r.namesShapes ? "✓" : "✗") line \(r.namesLine ? "✓" : "✗")]" : ""))
                if !r.message.isEmpty {
                    let text = r.message.split(separator: "\n").prefix(3).joined(separator: "\n         ")
                    print("         \(text)")
                }
            }
            print("")
        }
        let report = ComparisonReport(models: [], scorecard: results)
        print(report.scorecardTable(), terminator: "")
        if let json {
            let object = report.jsonObject()["debuggability"] ?? []
            try writeJSON(["debuggability": object], to: json)
        }
    }
}
