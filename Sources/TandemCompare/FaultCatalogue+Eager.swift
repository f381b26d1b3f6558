import Foundation

/// The fault catalogue as eager (PyTorch-style) programs. Each is a short training loop written
/// the way a user would, with one mistake on a line marked `let fault = here()`; the verdict comes
/// from what the frontend did: an error (`checked` throws it), a warning in `Diagnostics`, or
/// printed output.
enum EagerFaults {
    static let frontend = "eager"

    static func run(_ fault: Fault) -> FaultResult {
        let savedSink = Diagnostics.sink
        Diagnostics.reset()
        Diagnostics.sink = { _ in }
        defer {
            Diagnostics.sink = savedSink
            Diagnostics.reset()
        }
        switch fault {
        case .shapeMismatch: return shapeMismatch()
        case .wrongFeedShape:
            return .notApplicable(fault, frontend, because: "no feeds: a batch is a plain tensor, so a wrong shape is the hidden-layer mismatch")
        case .nanFromLog: return nanFromLog()
        case .unusedParameter: return unusedParameter()
        case .forgottenZeroGrad: return forgottenZeroGrad()
        case .lossWithHistory: return lossWithHistory()
        case .printIntermediate: return printIntermediate()
        case .opsInLoop: return .notApplicable(fault, frontend, because: "no graph: ops run at once and leave nothing behind")
        case .valueReadWhileBuilding:
            return .notApplicable(
                fault, frontend, because: "tensors hold values: `if x.mean().item() > 0` is an ordinary Swift branch, recorded as it runs")
        case .loopShapeChange: return loopShapeChange(fixed: false)
        case .unevenBatches, .replicasDiffer: return DistributedFaults.run(fault, frontend: frontend).result
        case .missingEval: return missingEval(fixed: false)
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

    /// A hidden layer expects 500 features but receives 512.
    static func shapeMismatch() -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let p = parameters([(512, 784), (256, 500), (10, 256)])
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
    /// `detectAnomaly { }` around the loop.
    static func nanFromLog() -> FaultResult {
        let probe = probe()
        var fault: SourceLocation?
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            try checked {
                detectAnomaly {  // the debug line
                    for (x, y) in faultBatches(steps: 3) {
                        optimizer.zeroGrad()
                        let h = linear(Tensor(x), weight: p[0], bias: p[1]).log(); fault = here()
                        crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                        optimizer.step()
                        if ErrorScope.hasError { break }
                    }
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        probe.observation.debugLines = 1
        return probe.observation.judge(.nanFromLog, frontend: frontend, op: "log", shapes: ["[64, 256]"], line: fault)
    }

    /// A parameter handed to the optimizer that the loss never uses: its gradient stays nil.
    static func unusedParameter() -> FaultResult {
        let probe = probe()
        var p = parameters([(256, 784), (10, 256)])
        let extra = Tensor(NDArray(zeros: [10]), requiresGrad: true); let fault = here()
        p.append(extra)
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

    /// `zeroGrad()` is missing: gradients of every step add up.
    static func forgottenZeroGrad() -> FaultResult {
        let probe = probe()
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        do {
            for (x, y) in faultBatches(steps: 4) {
                try checked {
                    // (optimizer.zeroGrad() is missing here)
                    let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                    crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                    optimizer.step()
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.forgottenZeroGrad, frontend: frontend, op: "step", shapes: [], line: nil)
    }

    /// `total = total + loss` keeps every step's graph alive.
    static func lossWithHistory() -> FaultResult {
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
                    total = total + loss  // the fault: total += loss.item() was meant
                }
            }
        } catch { probe.record(error) }
        probe.collect()
        return probe.observation.judge(.lossWithHistory, frontend: frontend, op: nil, shapes: [], line: nil)
    }

    /// Looking at an intermediate: one `print`.
    static func printIntermediate() -> FaultResult {
        let probe = probe()
        let p = parameters([(256, 784), (10, 256)])
        let optimizer = SGD(p, lr: 0.05, momentum: 0.9)
        probe.startRunning()
        let (_, output) = captureOutput {
            do {
                for (x, y) in faultBatches(steps: 1) {
                    try checked {
                        optimizer.zeroGrad()
                        let h = linear(Tensor(x), weight: p[0], bias: p[1]).relu()
                        print("hidden:", h)  // the one line needed
                        crossEntropy(linear(h, weight: p[2], bias: p[3]), Tensor(labels: y)).backward()
                        optimizer.step()
                    }
                }
            } catch { probe.record(error) }
        }
        probe.collect()
        probe.observation.printed = output.contains("hidden:") ? output : nil
        probe.observation.debugLines = 1
        return probe.observation.judge(.printIntermediate, frontend: frontend, op: nil, shapes: ["[64, 256]"], line: nil)
    }
}
