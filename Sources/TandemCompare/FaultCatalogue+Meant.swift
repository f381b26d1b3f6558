import Foundation

/// The diagnostic meant for a fault: the kinds of error and the warning codes that count as
/// detecting it. Any other diagnostic (an unrelated error, a stray warning) is not a detection,
/// so a fault cannot score by making something, anything, fail.
public struct MeantDiagnostic: Sendable {
    /// `TandemError` cases (``TandemError/kind``) that detect the fault.
    public var errorKinds: Set<String> = []
    /// Warning codes (see ``warningCode(_:)``) that detect the fault.
    public var warningCodes: Set<String> = []
    /// Whether printed values of the intermediate detect it (the print fault).
    public var printedValues = false
}

extension Fault {
    /// The diagnostic meant for this fault. A new fault adds its case here (the switch is
    /// exhaustive on purpose: a fault without a meant diagnostic cannot be scored).
    public var meant: MeantDiagnostic {
        switch self {
        case .shapeMismatch: return MeantDiagnostic(errorKinds: ["shapeMismatch"])
        // Eager: the first layer's shape error; graph: the feed check of `Session.run`.
        case .wrongFeedShape: return MeantDiagnostic(errorKinds: ["shapeMismatch", "graph"])
        case .nanFromLog: return MeantDiagnostic(errorKinds: ["nonFinite"])
        case .unusedParameter: return MeantDiagnostic(warningCodes: ["unused-parameter"])
        case .forgottenZeroGrad: return MeantDiagnostic(warningCodes: ["accumulated-grad"])
        case .lossWithHistory: return MeantDiagnostic(warningCodes: ["tape-growth", "graph-growth"])
        case .printIntermediate: return MeantDiagnostic(warningCodes: ["print-off-path"], printedValues: true)
        case .opsInLoop: return MeantDiagnostic(warningCodes: ["graph-growth"])
        case .valueReadWhileBuilding: return MeantDiagnostic(errorKinds: ["graph", "invalidValue"])
        case .loopShapeChange: return MeantDiagnostic(errorKinds: ["shapeMismatch", "graph"])
        case .unevenBatches, .replicasDiffer: return MeantDiagnostic(errorKinds: ["distributed"])
        case .missingEval: return MeantDiagnostic(warningCodes: ["training-mode-eval"])
        case .batchNormUpdatesNotRun: return MeantDiagnostic(warningCodes: ["updates-not-run"])
        }
    }
}

extension TandemError {
    /// The error's kind, for matching a diagnostic to the fault it is meant for: its case name
    /// (`shapeMismatch`, `nonFinite`, `graph`, ...), except that the graph session's
    /// check-numerics failure, a node error by its case, is the kind `nonFinite` it reports.
    public var kind: String {
        switch self {
        case .shapeMismatch: return "shapeMismatch"
        case .invalidValue: return "invalidValue"
        case .nonFinite: return "nonFinite"
        case .file: return "file"
        case .graph(_, let reason, _): return reason.contains("NaN or Inf (check numerics)") ? "nonFinite" : "graph"
        case .autograd: return "autograd"
        case .distributed: return "distributed"
        }
    }
}

/// The code of a warning from either frontend, recognised by the fixed wording each warning is
/// built from (the frontends keep warnings as text); nil for a warning the catalogue does not know.
public func warningCode(_ warning: String) -> String? {
    let codes: [(String, String)] = [
        ("received no gradient", "unused-parameter"),          // eager optimizer step
        ("does not affect", "unused-parameter"),               // graph gradients
        ("zeroGrad() was not called", "accumulated-grad"),     // eager optimizer step
        ("live autograd tape nodes grew", "tape-growth"),      // eager Diagnostics
        ("after the graph first ran", "graph-growth"),         // Graph.addNode
        ("prints nothing", "print-off-path"),                  // Session print check
        ("was called in training mode inside noGrad", "training-mode-eval"),  // eager Diagnostics
        ("runs batch_norm in training mode", "training-mode-eval"),          // Session update-ops check
        ("of Graph.updateOps", "updates-not-run"),             // Session update-ops check
    ]
    return codes.first { warning.contains($0.0) }?.1
}

/// Whether `output` shows the values of `array`: its first elements as the frontends print
/// them (fixed or scientific notation). The harness prints no values itself, so this fails
/// when the frontend's print does not show the intermediate.
func showsValues(_ output: String, of array: NDArray) -> Bool {
    let first = Array(array.scalars.prefix(3))
    guard !first.isEmpty else { return false }
    return first.allSatisfy { value in
        [String(format: "%.4f", value), String(format: "%.4e", value), String(format: "%.0f.", value)].contains { output.contains($0) }
    }
}
