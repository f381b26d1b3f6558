/// The kinds of error TandemDistributed raises when ranks disagree, each recognisable from the
/// error itself, so a harness can tell which diagnostic it got without matching message text of
/// its own (the fault catalogue counts a fault as detected only by the diagnostic meant for it).
///
/// The phrases here are the ones the producers write (``PeerMonitor``, ``ReplicaCheck``), so the
/// two cannot drift apart.
public enum DistributedDiagnostic: String, CaseIterable, Codable, Sendable {
    /// Ranks ran different numbers of collectives: one finished while another still waits.
    case unevenInputs = "uneven_inputs"
    /// Replicas hold different parameters or buffers at the first step.
    case replicasDiffer = "replicas_differ"
    /// Ranks wait in different collectives at the same position.
    case collectiveMismatch = "collective_mismatch"

    /// The words the error's reason begins with.
    var phrase: String {
        switch self {
        case .unevenInputs: return "uneven inputs"
        case .replicasDiffer: return "differ across ranks"
        case .collectiveMismatch: return "collective mismatch"
        }
    }

    /// What a replica check names as differing, before ``phrase``.
    static let replicaSubjects = ["parameters", "buffers"]

    /// The diagnostic `error` is, if it is one of these: a `TandemError.distributed`, or the
    /// `TandemError.graph` a session makes of one raised by a graph kernel (`node 'x': op: reason`).
    ///
    /// - Parameter error: any error.
    public init?(_ error: any Error) {
        guard let error = error as? TandemError else { return nil }
        let reason: String
        switch error {
        case let .distributed(_, text, _): reason = text
        case let .graph(_, text, _):
            // The wrapped error's description: its op, then its reason.
            guard let separator = text.range(of: ": ") else { return nil }
            reason = String(text[separator.upperBound...])
        default: return nil
        }
        guard let match = Self.allCases.first(where: { $0.begins(reason) }) else { return nil }
        self = match
    }

    /// Whether `reason` begins with this diagnostic's words.
    private func begins(_ reason: String) -> Bool {
        switch self {
        case .replicasDiffer: return Self.replicaSubjects.contains { reason.hasPrefix("\($0) \(phrase) ") }
        case .unevenInputs, .collectiveMismatch: return reason.hasPrefix("\(phrase): ")
        }
    }
}
