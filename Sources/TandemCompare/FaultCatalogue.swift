import Foundation

/// The catalogue of injected faults: small, real training programs with one classic mistake each,
/// run in both frontends in-process. A verdict is judged only from what actually happened (an error
/// thrown or recorded, a warning in a frontend's diagnostics, a value printed), never hard-coded.
public enum Fault: String, CaseIterable, Sendable {
    /// A hidden layer's weight has the wrong shape.
    case shapeMismatch = "shape_mismatch"
    /// A batch of the wrong shape is fed to the model's input.
    case wrongFeedShape = "wrong_feed_shape"
    /// `log` of a negative value produces NaN inside the model.
    case nanFromLog = "nan_from_log"
    /// A parameter the loss does not depend on.
    case unusedParameter = "unused_parameter"
    /// Gradients are never zeroed between steps.
    case forgottenZeroGrad = "forgotten_zero_grad"
    /// A running total of the loss keeps its autograd history (memory grows every step).
    case lossWithHistory = "loss_with_history"
    /// Printing an intermediate value to look at it.
    case printIntermediate = "print_intermediate"
    /// Creating new ops inside the training loop (the graph grows every step).
    case opsInLoop = "ops_in_loop"
    /// Reading a node's value while building the graph, to decide a branch in Swift.
    case valueReadWhileBuilding = "value_read_while_building"
    /// A loop variable whose shape changes from one iteration to the next.
    case loopShapeChange = "loop_shape_change"
    /// Data-parallel ranks with different numbers of batches (the classic hang at the last step).
    case unevenBatches = "uneven_batches"
    /// Data-parallel replicas that do not start from the same parameters.
    case replicasDiffer = "replicas_differ"
    /// Evaluating without `eval()`: batch norm and dropout stay in training mode.
    case missingEval = "missing_eval"
    /// Batch norm's running-statistics updates (`Graph.updateOps`) never run with the train op.
    case batchNormUpdatesNotRun = "bn_updates_not_run"

    /// A short title for tables.
    public var title: String {
        switch self {
        case .shapeMismatch: return "shape mismatch in a hidden layer"
        case .wrongFeedShape: return "wrong input (feed) shape"
        case .nanFromLog: return "NaN from log of a negative"
        case .unusedParameter: return "parameter unused by the loss"
        case .forgottenZeroGrad: return "forgot to zero gradients"
        case .lossWithHistory: return "loss summed with history"
        case .printIntermediate: return "print an intermediate"
        case .opsInLoop: return "ops created in the loop"
        case .valueReadWhileBuilding: return "value read to decide a branch"
        case .loopShapeChange: return "loop variable changes shape"
        case .unevenBatches: return "ranks with uneven numbers of batches"
        case .replicasDiffer: return "parameters differ across ranks at start"
        case .missingEval: return "evaluating without eval()"
        case .batchNormUpdatesNotRun: return "batch-norm update ops never run"
        }
    }
}

/// When a fault became visible to the user.
public enum DetectionTime: String, Sendable {
    /// While the model was being built (graph construction, or the failing line in eager).
    case construction
    /// While running (a session run, a backward pass, an optimizer step).
    case run
    /// Never: the program ran to the end without a word.
    case never
    /// The fault cannot happen in this frontend.
    case notApplicable = "n/a"
}

/// One verdict of the scorecard.
public struct FaultResult {
    /// The fault.
    public var fault: String
    /// A readable title.
    public var title: String
    /// `eager`, `graph`, `pytorch`, `tensorflow1`, ...
    public var frontend: String
    /// When the fault surfaced.
    public var when: DetectionTime
    /// Whether the message names the op (or node).
    public var namesOp: Bool
    /// Whether the message names the shapes involved.
    public var namesShapes: Bool
    /// Whether the message names the user's `File.swift:LINE` of the faulty line.
    public var namesLine: Bool
    /// Lines of code the user had to add to see the problem (a debug mode, a print); nil when
    /// not applicable or never seen.
    public var linesNeeded: Int?
    /// What the user was shown (an error message, a warning, printed text), shortened.
    public var message: String
    /// How it surfaced: `error`, `warning`, `printed`, ...
    public var how: String
    /// Whether the fault-free twin of the program (the same program with the mistake fixed)
    /// produced any diagnostic: a detector that fires on correct code. Nil when not run (no
    /// twin, or the fault cannot happen in this frontend).
    public var falsePositive: Bool?
    /// Whether the program produced any diagnostic at all, meant for the fault or not (what a
    /// twin is judged by).
    public var anyDiagnostic = false

    /// Whether the fault was detected.
    public var detected: Bool { when == .construction || when == .run }
    /// Whether the fault can happen in this frontend.
    public var applicable: Bool { when != .notApplicable }

    /// Creates a verdict.
    public init(
        fault: String, title: String, frontend: String, when: DetectionTime, namesOp: Bool = false,
        namesShapes: Bool = false, namesLine: Bool = false, linesNeeded: Int? = nil, message: String = "", how: String = "",
        falsePositive: Bool? = nil
    ) {
        self.falsePositive = falsePositive
        self.fault = fault
        self.title = title
        self.frontend = frontend
        self.when = when
        self.namesOp = namesOp
        self.namesShapes = namesShapes
        self.namesLine = namesLine
        self.linesNeeded = linesNeeded
        self.message = message
        self.how = how
    }

    /// A verdict for a fault that cannot happen in `frontend`.
    static func notApplicable(_ fault: Fault, _ frontend: String, because reason: String) -> FaultResult {
        FaultResult(fault: fault.rawValue, title: fault.title, frontend: frontend, when: .notApplicable, message: reason)
    }
}

/// What a fault program observed, turned into a verdict by `judge`.
struct Observation {
    /// Errors thrown or recorded, with when they surfaced.
    var errors: [(TandemError, DetectionTime)] = []
    /// Warnings the frontend emitted, with when.
    var warnings: [(String, DetectionTime)] = []
    /// Text the program printed that shows the problem (for the print fault).
    var printed: String?
    /// Debug lines the program added to make the frontend look (anomaly mode, check-numerics, ...).
    var debugLines = 0

    /// Whether anything at all was reported: an error, a warning or printed text.
    var anyDiagnostic: Bool { !errors.isEmpty || !warnings.isEmpty || !(printed ?? "").isEmpty }

    /// Judges the observation against the diagnostic meant for `fault` (``Fault/meant``): the
    /// first meant error, else the first meant warning, else the printed values. Any other
    /// diagnostic is not a detection (the verdict is `never`, with the stray message shown).
    /// The message is checked for the op name, a shape and the faulty line's `File.swift:LINE`.
    func judge(
        _ fault: Fault, frontend: String, op: String?, shapes: [String], line: SourceLocation?
    ) -> FaultResult {
        let meant = fault.meant
        let message: String, when: DetectionTime, how: String
        if let (error, time) = errors.first(where: { meant.errorKinds.contains($0.0.kind) }) {
            (message, when, how) = (error.description, time, "error")
        } else if let (warning, time) = warnings.first(where: { warningCode($0.0).map(meant.warningCodes.contains) ?? false }) {
            (message, when, how) = (warning, time, "warning")
        } else if meant.printedValues, let printed, !printed.isEmpty {
            (message, when, how) = (printed, .run, "printed")
        } else {
            let stray = errors.first.map(\.0.description) ?? warnings.first?.0
            var result = FaultResult(
                fault: fault.rawValue, title: fault.title, frontend: frontend, when: .never,
                message: stray.map { "(not the diagnostic meant for this fault: \($0))" } ?? "(nothing: the program ran to the end)",
                how: stray == nil ? "silent" : "other diagnostic")
            result.anyDiagnostic = anyDiagnostic
            result.linesNeeded = debugLines
            return result
        }
        let fileAndLine = line.map { "\(($0.file as NSString).lastPathComponent):\($0.line)" }
        var result = FaultResult(
            fault: fault.rawValue, title: fault.title, frontend: frontend, when: when,
            namesOp: op.map { message.contains($0) } ?? false,
            namesShapes: shapes.contains { message.contains($0) },
            namesLine: fileAndLine.map { message.contains($0) } ?? false,
            linesNeeded: debugLines, message: String(message.prefix(400)), how: how)
        result.anyDiagnostic = true
        return result
    }
}

/// Runs the fault catalogue against both Tandem frontends.
public enum FaultCatalogue {
    /// Runs every fault program in both frontends and returns the verdicts (eager and graph for
    /// each fault, in catalogue order). Warnings the programs provoke are captured, not printed.
    ///
    /// Each applicable verdict carries its twin's: `falsePositive` is true when the fault-free
    /// twin of the program produced any diagnostic.
    public static func run() -> [FaultResult] {
        var results: [FaultResult] = []
        for fault in Fault.allCases {
            for frontend in [EagerFaults.frontend, GraphFaults.frontend] {
                var result = frontend == EagerFaults.frontend ? EagerFaults.run(fault) : GraphFaults.run(fault)
                if result.applicable { result.falsePositive = runTwin(fault, frontend: frontend)?.anyDiagnostic }
                results.append(result)
            }
        }
        return results
    }
}
