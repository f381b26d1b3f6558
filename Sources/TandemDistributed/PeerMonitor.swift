import Foundation
import TandemKernels

/// What the ranks tell each other about where they are, and the rules that turn those reports
/// into errors instead of hangs.
///
/// MPI itself cannot tell a slow rank from one that will never arrive: a collective whose
/// partner has left the training loop simply never completes (the classic hang of uneven
/// batches). So ranks report on a separate communicator: a rank waiting in a collective for
/// longer than the stall interval says which one it is waiting in; a rank that finishes says
/// how many collectives it completed; a rank that fails says why. A waiting rank reads these
/// reports while it polls, and stops with an error naming both ranks, the collective and the
/// step as soon as a report proves its collective can never complete.
///
/// This type holds the rules only (no MPI), so they are tested directly.
final class PeerMonitor {
    /// One rank's report about itself.
    struct Report: Codable, Equatable {
        enum Kind: String, Codable {
            /// Waiting in collective number `sequence` (stalled for the stall interval).
            case waiting
            /// Done with all communication after `sequence` completed collectives.
            case finished
            /// Stopped by an error (`reason`).
            case aborted
        }

        var kind: Kind
        var rank: Int
        var host: String
        /// The collective number (waiting) or the number completed (finished).
        var sequence: Int
        /// The collective's fingerprint (waiting).
        var fingerprint: String?
        /// The collective in words, with its label and step (waiting).
        var collective: String?
        /// The last training step the rank worked on.
        var step: Int?
        /// Why the rank stopped (aborted).
        var reason: String?
    }

    let rank: Int
    let size: Int
    /// The latest report of each other rank.
    private(set) var latest: [Int: Report] = [:]

    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Records a report; returns the error it proves for the collective this rank waits in
    /// (`sequence`, `collective`), or nil when waiting may still succeed.
    func receive(_ report: Report, waitingIn sequence: Int, _ collective: Collective) -> TandemError? {
        latest[report.rank] = report
        return verdict(for: report, sequence: sequence, collective)
    }

    /// Records a report received outside any collective (while finishing).
    func record(_ report: Report) {
        latest[report.rank] = report
    }

    /// Whether every other rank has reported finishing.
    var everyPeerFinished: Bool {
        (0..<size).allSatisfy { $0 == rank || latest[$0]?.kind == .finished }
    }

    /// The first peer that reported an error, if any.
    var abortedPeer: Report? {
        latest.values.filter { $0.kind == .aborted }.min { $0.rank < $1.rank }
    }

    /// The error a report proves, if any.
    private func verdict(for report: Report, sequence: Int, _ collective: Collective) -> TandemError? {
        let here = collective.describe(sequence: sequence)
        let peer = "rank \(report.rank) (\(report.host))"
        switch report.kind {
        case .aborted:
            return .distributed(
                op: collective.kind.rawValue,
                reason: "rank \(rank) waits in \(here), which can never complete: \(peer) stopped with an error: "
                    + (report.reason ?? "(no reason given)"),
                location: nil)
        case .finished:
            guard report.sequence < sequence else { return nil }
            let last = report.step.map { "its last step was \($0)" } ?? "it reported no step"
            let mine = collective.step.map { " is at step \($0) and" } ?? ""
            return .distributed(
                op: collective.kind.rawValue,
                reason: "\(DistributedDiagnostic.unevenInputs.phrase): \(peer) finished after \(report.sequence) collectives (\(last)), while rank \(rank)"
                    + "\(mine) waits for it in \(here), which can never complete. The ranks ran different numbers of "
                    + "steps, most often because their shards of the data hold different numbers of batches: give every "
                    + "rank the same number of batches (DistributedSampler pads every shard to the same length)",
                location: nil)
        case .waiting:
            guard report.sequence == sequence, let theirs = report.fingerprint, theirs != collective.fingerprint else {
                return nil
            }
            return .distributed(
                op: collective.kind.rawValue,
                reason: "\(DistributedDiagnostic.collectiveMismatch.phrase): rank \(rank) waits in \(here), a \(collective.fingerprint), but \(peer) waits in "
                    + "\(report.collective ?? "#\(report.sequence)"), a \(theirs). Every rank must call the same collectives "
                    + "in the same order (a rank that skips or adds a step, or reduces a different set of tensors)",
                location: nil)
        }
    }

    /// The error for a collective that did not complete within `timeout` seconds, naming the
    /// ranks not known to be waiting in it.
    func timeout(_ timeout: TimeInterval, sequence: Int, _ collective: Collective) -> TandemError {
        let here = collective.describe(sequence: sequence)
        var missing: [String] = []
        for peer in 0..<size where peer != rank {
            guard let report = latest[peer] else {
                missing.append("rank \(peer) (no report)")
                continue
            }
            if report.kind == .waiting && report.sequence == sequence { continue }
            switch report.kind {
            case .waiting: missing.append("rank \(peer) (last seen waiting in \(report.collective ?? "#\(report.sequence)"))")
            case .finished: missing.append("rank \(peer) (finished after \(report.sequence) collectives)")
            case .aborted: missing.append("rank \(peer) (stopped: \(report.reason ?? "error"))")
            }
        }
        let who = missing.isEmpty ? "every rank reported waiting in it" : "not arrived: " + missing.joined(separator: ", ")
        return .distributed(
            op: collective.kind.rawValue,
            reason: "rank \(rank) waited \(Int(timeout)) s in \(here) without it completing; \(who). A rank is stuck "
                + "or much slower (set TANDEM_COLLECTIVE_TIMEOUT to wait longer)",
            location: nil)
    }
}
