import Foundation

extension ComparisonReport {
    /// The report as terminal tables: parity, speed and memory per model, then the scorecard.
    public func table() -> String {
        var out = ""
        var summary = TerminalTable(
            ["model", "frontend", "final loss", "max |Δloss|", "first step ms", "ms/step", "overhead", "peak MB", "ops/step"],
            alignRight: [false, false, true, true, true, true, true, true, true],
            title: "Parity, speed and memory (\(environment))")
        for m in models {
            for f in m.frontends {
                summary.append([
                    m.spec.name, f.frontend, f.losses.last.map { String(format: "%.5f", $0) } ?? "-",
                    String(format: "%.2e", m.lossDiff(of: f)), String(format: "%.1f", f.firstStepMs),
                    String(format: "%.2f", f.msPerStep), String(format: "%.0f%%", f.overheadShare * 100),
                    String(format: "%.2f", Double(f.peakBytes) / 1e6), "\(f.opsPerStep)",
                ])
            }
            for (framework, figures) in (peers?.frameworks ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let p = figures[m.spec.name] else { continue }
                let diff = p.maxLossDiff(to: m.eager.losses).map { String(format: "%.2e", $0) } ?? "-"
                summary.append([
                    m.spec.name, framework, p.losses.last.map { String(format: "%.5f", $0) } ?? "-", diff,
                    p.firstStepMs.map { String(format: "%.1f", $0) } ?? "-",
                    p.msPerStep.map { String(format: "%.2f", $0) } ?? "-", "-",
                    p.peakBytes.map { String(format: "%.2f", Double($0) / 1e6) } ?? "-", "-",
                ])
            }
        }
        out += summary.render()
        for m in models { out += "\(m.spec.name) memory: \(m.memoryExplanation)\n" }
        for m in models {
            if let layer = m.firstDivergentLayer {
                out += "\(m.spec.name): first op to diverge beyond \(m.tolerance): \(layer.layer) (max |Δ| \(layer.maxAbsDiff))\n"
            } else if !m.activationDiffs.isEmpty {
                let worst = m.activationDiffs.map(\.maxAbsDiff).max() ?? 0
                out += "\(m.spec.name): every layer agrees on the first batch (max |Δ| \(String(format: "%.2e", worst)))\n"
            }
            if let state = m.firstDivergentState {
                out += "\(m.spec.name): after training, \(state.layer.dropFirst("after training: ".count)) differs beyond \(m.tolerance) (max |Δ| \(state.maxAbsDiff))\n"
            } else if !m.trainedStateDiffs.isEmpty {
                let worst = m.trainedStateDiffs.map(\.maxAbsDiff).max() ?? 0
                let buffers = m.spec.bufferNames.isEmpty ? "parameters" : "parameters, running statistics"
                out += "\(m.spec.name): after training, \(buffers) and eval-mode logits agree (max |Δ| \(String(format: "%.2e", worst)))\n"
            }
        }
        for m in models {
            if let traced = m.traced, let diff = m.tracedLossDiff {
                out += "\(m.spec.name): traced (eager code, graph execution) matches eager to max |Δloss| "
                    + String(format: "%.2e", diff) + "; ms/step eager " + String(format: "%.2f", m.eager.msPerStep)
                    + ", graph " + String(format: "%.2f", m.graph.msPerStep) + ", traced " + String(format: "%.2f", traced.msPerStep) + "\n"
            }
        }
        if !scorecard.isEmpty {
            out += "\n" + scorecardTable()
        }
        return out
    }

    /// The debuggability scorecard as a terminal table, one row per fault and frontend.
    public func scorecardTable() -> String {
        let rows = scorecard + (peers?.scorecard ?? [])
        let frontends = orderedFrontends(rows)
        var table = TerminalTable(
            ["fault"] + frontends, title: "Debuggability: when each fault surfaced (op / shapes / line named; +N = debug lines needed)")
        var faults: [String] = []
        for row in rows where !faults.contains(row.fault) { faults.append(row.fault) }
        for fault in faults {
            var cells = [Fault(rawValue: fault)?.title ?? fault]
            for frontend in frontends {
                guard let r = rows.first(where: { $0.fault == fault && $0.frontend == frontend }) else {
                    cells.append("")
                    continue
                }
                cells.append(Self.verdict(r))
            }
            table.append(cells)
        }
        var totals = ["detected"]
        for frontend in frontends {
            let mine = rows.filter { $0.frontend == frontend }
            totals.append("\(mine.filter(\.detected).count) of \(mine.filter(\.applicable).count)")
        }
        table.append(totals)
        // The false-positive row: twins (fault-free programs) that produced a diagnostic anyway.
        var falsePositives = ["false positives"]
        for frontend in frontends {
            let twins = rows.filter { $0.frontend == frontend && $0.falsePositive != nil }
            falsePositives.append(twins.isEmpty ? "-" : "\(twins.filter { $0.falsePositive == true }.count) of \(twins.count)")
        }
        table.append(falsePositives)
        return table.render()
    }

    /// A compact verdict: `run (op shapes line) +1`, `never`, `n/a`.
    static func verdict(_ r: FaultResult) -> String {
        guard r.applicable else { return "n/a" }
        let falsePositive = r.falsePositive == true ? " FP" : ""
        guard r.detected else { return "never" + falsePositive }
        var named: [String] = []
        if r.namesOp { named.append("op") }
        if r.namesShapes { named.append("shapes") }
        if r.namesLine { named.append("line") }
        let extra = (r.linesNeeded ?? 0) > 0 ? " +\(r.linesNeeded!)" : ""
        return r.when.rawValue + (named.isEmpty ? "" : " (" + named.joined(separator: " ") + ")") + extra + falsePositive
    }

    func orderedFrontends(_ rows: [FaultResult]) -> [String] {
        var frontends: [String] = []
        for row in rows where !frontends.contains(row.frontend) { frontends.append(row.frontend) }
        return frontends
    }
}
