import Foundation

/// The fault catalogue as eager (PyTorch-style) programs. Each is a short training loop written
/// the way a user would, with one mistake on a line marked `let fault = here()`; the verdict comes
/// from what the frontend did: an error (`checked` throws it), a warning in `Diagnostics`, or
/// printed output.
enum EagerFaults {
    static let frontend = "eager"

    /// Runs the program of `fault`, or its fault-free twin (the same program with the mistake
    /// fixed, which must produce no diagnostic); nil for a twin that cannot happen here.
    static func run(_ fault: Fault, twin: Bool) -> FaultResult? {
        let result = run(fault, twinProgram: twin)
        return twin && !result.applicable ? nil : result
    }

    static func run(_ fault: Fault) -> FaultResult { run(fault, twinProgram: false) }

    private static func run(_ fault: Fault, twinProgram twin: Bool) -> FaultResult {
        let savedSink = Diagnostics.sink
        Diagnostics.reset()
        Diagnostics.sink = { _ in }
        defer {
            Diagnostics.sink = savedSink
            Diagnostics.reset()
        }
        switch fault {
        case .shapeMismatch: return shapeMismatch(twin: twin)
        case .wrongFeedShape: return wrongInputShape(twin: twin)
        case .nanFromLog: return nanFromLog(twin: twin)
        case .unusedParameter: return unusedParameter(twin: twin)
        case .forgottenZeroGrad: return forgottenZeroGrad(twin: twin)
        case .lossWithHistory: return lossWithHistory(twin: twin)
        case .printIntermediate: return printIntermediate(twin: twin)
        case .opsInLoop: return .notApplicable(fault, frontend, because: "no graph: ops run at once and leave nothing behind")
        case .valueReadWhileBuilding:
            return .notApplicable(
                fault, frontend, because: "tensors hold values: `if x.mean().item() > 0` is an ordinary Swift branch, recorded as it runs")
        case .loopShapeChange: return loopShapeChange(fixed: twin)
        case .unevenBatches, .replicasDiffer: return DistributedFaults.run(fault, frontend: frontend, twin: twin).result
        case .missingEval: return missingEval(fixed: twin)
        case .batchNormUpdatesNotRun:
            return .notApplicable(
                fault, frontend, because: "batch norm moves its running statistics in place during the forward pass; there is no separate update to forget")
        }
    }

    static func probe() -> FaultProbe { FaultProbe { Diagnostics.warnings } }

    static func parameters(_ layers: [(Int, Int)]) -> [Tensor] {
        layers.flatMap { o, i -> [Tensor] in
            let (w, b) = faultWeights(o, i)
            return [Tensor(w, requiresGrad: true), Tensor(b, requiresGrad: true)]
        }
    }

    /// A hidden layer expects 500 features but receives 512 (the twin: 512).
    static func shapeMismatch(twin: Bool) -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let p = parameters([(512, 784), (256, twin ? 512 : 500), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: 3) {
                try checked {
                    optimizer.zeroGrad()
                    let h1 = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                    let h2 = linear(h1, weight: p[2], bias: p[3]).relu(); fault = here()
                    crossEntropy(linear(h2, weight: p[4], bias: p[5]), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.shapeMismatch, frontend: frontend, op: "linear", shapes: ["[64, 512]", "[256, 500]"], line: fault)
    }

    /// `log` of a value that is often negative: NaN in the forward pass. One debug line:
    /// `detectAnomaly { }` around the loop. The twin takes `log` of a positive value.
    static func nanFromLog(twin: Bool) -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            try checked {
                probe.debug { detectAnomaly {
                    for (x, y) in faultBatches(steps: 3) {
                        optimizer.zeroGrad()
                        let z = linear(Tensor(x), weight: p[0], bias: p[1])
                        let h = (twin ? z.exp() : z).log(); fault = here()
                        crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                        optimizer.step()
                        if ErrorScope.hasError { break }
                    }
                } }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.nanFromLog, frontend: frontend, op: "log", shapes: ["[64, 256]"], line: fault)
    }

    /// A parameter handed to the optimizer that the loss never uses: its gradient stays nil.
    /// The twin leaves it out of the optimizer.
    static func unusedParameter(twin: Bool) -> FaultResult {
        let probe = probe()
        var p = parameters([(256, 784), (10, 256)])
        let extra = Tensor(NDArray(zeros: [10]), requiresGrad: true); let fault = here()
        if !twin { p.append(extra) }
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: 3) {
                try checked {
                    optimizer.zeroGrad()
                    let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                    crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.unusedParameter, frontend: frontend, op: nil, shapes: ["[10]"], line: fault)
    }

    /// `zeroGrad()` is missing: gradients of every step add up (the twin calls it).
    static func forgottenZeroGrad(twin: Bool) -> FaultResult {
        let probe = probe()
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: 4) {
                try checked {
                    if twin { optimizer.zeroGrad() }  // (missing in the faulty program)
                    let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                    crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.forgottenZeroGrad, frontend: frontend, op: "step", shapes: [], line: nil)
    }

    /// `total = total + loss` keeps every step's graph alive (the twin adds `loss.item()`).
    static func lossWithHistory(twin: Bool) -> FaultResult {
        let probe = probe()
        let p = parameters([(64, 784), (10, 64)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        var total = Tensor(0)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: Diagnostics.tapeGrowthSteps + 3) {
                try checked {
                    optimizer.zeroGrad()
                    let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                    let loss = crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y))
                    loss.backward()
                    optimizer.step()
                    total = twin ? total + Tensor(loss.item()) : total + loss  // the fault: total += loss.item() was meant
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.lossWithHistory, frontend: frontend, op: nil, shapes: [], line: nil)
    }

    /// Looking at an intermediate: one `print`. It counts only when the printed text shows the
    /// hidden values themselves (the harness prints none); the twin prints nothing.
    static func printIntermediate(twin: Bool) -> FaultResult {
        let probe = probe()
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        var hidden: NDArray?
        probe.startRunning()
        let (_, output) = captureOutput {
            do {
                for (x, y) in faultBatches(steps: 1) {
                    try checked {
                        optimizer.zeroGrad()
                        let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                        hidden = h.array
                        if !twin { probe.debug { print(h) } }  // the one line needed
                        crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                        optimizer.step()
                    }
                }
            } catch { probe.record(error) }
        }
        probe.collect()
        probe.observation.printed = hidden.map { showsValues(output, of: $0) } == true ? output : nil
        return probe.observation.judge(.printIntermediate, frontend: frontend, op: nil, shapes: ["[64, 256]"], line: nil)
    }

    /// A batch of 780 features for a first layer of 784 (the graph's wrong feed, in eager code:
    /// the first `linear` fails at its line). The twin feeds 784 features.
    static func wrongInputShape(twin: Bool) -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: 3, features: twin ? 784 : 780) {
                try checked {
                    optimizer.zeroGrad()
                    let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu(); fault = here()
                    crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.wrongFeedShape, frontend: frontend, op: "linear", shapes: ["[64, 780]"], line: fault)
    }
}
