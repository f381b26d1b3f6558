import Foundation

extension ComparisonReport {
    /// The report as JSON-ready dictionaries with snake_case keys.
    ///
    /// The top level describes the first model (`model`, `frontends.eager` / `frontends.graph` /
    /// `frontends.traced` with `losses`, `ms_per_step`, `peak_bytes`, and `max_loss_diff` (eager
    /// against graph) and `traced_max_loss_diff` (eager against traced)), so a single-model run reads
    /// simply; `models` lists every model; `max_loss_diff` is the largest over all models;
    /// `debuggability` holds the scorecard.
    public func jsonObject() -> [String: Any] {
        var object: [String: Any] = models.first.map(Self.modelObject) ?? [:]
        object["max_loss_diff"] = Self.number(maxLossDiff)
        object["models"] = models.map(Self.modelObject)
        object["debuggability"] = (scorecard + (peers?.scorecard ?? [])).map(Self.faultObject)
        object["date"] = date
        object["environment"] = environment
        if let peers {
            object["peers"] = [
                "notes": peers.notes,
                "frameworks": peers.frameworks.mapValues { models in
                    models.mapValues { figures -> [String: Any] in
                        [
                            "losses": figures.losses.map(Self.number),
                            "ms_per_step": figures.msPerStep.map(Self.number) ?? NSNull(),
                            "first_step_ms": figures.firstStepMs.map(Self.number) ?? NSNull(),
                            "peak_bytes": figures.peakBytes ?? NSNull(),
                            "same_start": figures.sameStart,
                        ]
                    }
                },
            ]
        }
        return object
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func json() throws -> Data {
        try JSONSerialization.data(withJSONObject: jsonObject(), options: [.prettyPrinted, .sortedKeys])
    }

    /// Writes the JSON atomically (a temporary file in the same directory, then a rename).
    public func writeJSON(to url: URL) throws {
        try writeAtomically(try json(), to: url, createDirectory: true)
    }

    static func modelObject(_ m: ModelResult) -> [String: Any] {
        var object: [String: Any] = [
            "model": m.spec.name,
            "description": m.spec.description,
            "steps": m.steps,
            "batch_size": m.batchSize,
            "seed": m.seed,
            "tolerance": m.tolerance,
            "max_loss_diff": number(m.maxLossDiff),
            "frontends": Dictionary(uniqueKeysWithValues: m.frontends.map { ($0.frontend, frontendObject($0)) }),
            "activation_diffs": m.activationDiffs.map {
                ["layer": $0.layer, "max_abs_diff": number($0.maxAbsDiff), "shape": $0.shape] as [String: Any]
            },
        ]
        object["trained_state_diffs"] = m.trainedStateDiffs.map {
            ["name": $0.layer, "max_abs_diff": number($0.maxAbsDiff), "shape": $0.shape] as [String: Any]
        }
        object["first_divergent_state"] = m.firstDivergentState?.layer ?? NSNull()
        object["eager_step_in_backward_peak_bytes"] = m.eagerStepInBackwardPeakBytes
        object["traced_max_loss_diff"] = m.tracedLossDiff.map(number) ?? NSNull()
        object["first_divergent_step"] = m.firstDivergentStep ?? NSNull()
        object["first_divergent_op"] = m.firstDivergentLayer?.layer ?? NSNull()
        return object
    }

    static func frontendObject(_ f: FrontendResult) -> [String: Any] {
        [
            "losses": f.losses.map(number),
            "ms_per_step": number(f.msPerStep),
            "first_step_ms": number(f.firstStepMs),
            "build_ms": number(f.buildMs),
            "step_ms": f.stepMs.map(number),
            "kernel_ms_per_step": number(f.kernelMsPerStep),
            "overhead_share": number(f.overheadShare),
            "peak_bytes": f.peakBytes,
            "live_bytes_after_step": f.liveBytesAfterStep,
            "ops_per_step": f.opsPerStep,
            "memory_timeline": f.timeline.map { ["op": $0.op, "live_bytes": $0.liveBytes] as [String: Any] },
        ]
    }

    static func faultObject(_ r: FaultResult) -> [String: Any] {
        [
            "fault": r.fault, "title": r.title, "frontend": r.frontend, "when": r.when.rawValue,
            "detected": r.detected, "applicable": r.applicable, "names_op": r.namesOp,
            "names_shapes": r.namesShapes, "names_line": r.namesLine,
            "lines_needed": r.linesNeeded ?? NSNull(), "message": r.message, "how": r.how,
            "false_positive": r.falsePositive ?? NSNull(),
        ]
    }

    /// JSON has no NaN or infinity: those become null.
    static func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
}

extension PeerResults {
    /// Reads the JSON the peers script (`Benchmarks/peers/run_peers.py`) writes. The file is
    /// validated: a missing key or a wrong type is an error naming the file and the key.
    public static func load(from url: URL) throws -> PeerResults {
        let path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TandemError.file(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TandemError.file(path: path, reason: "not a JSON object")
        }
        func double(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
        var frameworks: [String: [String: PeerFigures]] = [:]
        for (framework, value) in root["frameworks"] as? [String: Any] ?? [:] {
            guard let models = value as? [String: Any] else {
                throw TandemError.file(path: path, reason: "frameworks.\(framework) is not an object")
            }
            for (model, raw) in models {
                guard let figures = raw as? [String: Any] else {
                    throw TandemError.file(path: path, reason: "frameworks.\(framework).\(model) is not an object")
                }
                let losses = (figures["losses"] as? [Any] ?? []).map { double($0) ?? .nan }
                frameworks[framework, default: [:]][model] = PeerFigures(
                    losses: losses, msPerStep: double(figures["ms_per_step"]),
                    firstStepMs: double(figures["first_step_ms"]),
                    peakBytes: (figures["peak_bytes"] as? NSNumber)?.intValue,
                    sameStart: figures["same_start"] as? Bool ?? false)
            }
        }
        var scorecard: [FaultResult] = []
        for (i, raw) in (root["debuggability"] as? [Any] ?? []).enumerated() {
            guard let row = raw as? [String: Any], let fault = row["fault"] as? String,
                let frontend = row["frontend"] as? String, let whenText = row["when"] as? String,
                let when = DetectionTime(rawValue: whenText)
            else { throw TandemError.file(path: path, reason: "debuggability[\(i)] lacks fault/frontend/when") }
            scorecard.append(
                FaultResult(
                    fault: fault, title: Fault(rawValue: fault)?.title ?? fault, frontend: frontend, when: when,
                    namesOp: row["names_op"] as? Bool ?? false, namesShapes: row["names_shapes"] as? Bool ?? false,
                    namesLine: row["names_line"] as? Bool ?? false, linesNeeded: (row["lines_needed"] as? NSNumber)?.intValue,
                    message: row["message"] as? String ?? "", how: row["how"] as? String ?? "",
                    falsePositive: row["false_positive"] as? Bool))
        }
        return PeerResults(frameworks: frameworks, scorecard: scorecard, notes: root["notes"] as? [String] ?? [])
    }
}
