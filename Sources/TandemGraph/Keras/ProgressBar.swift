import Foundation

/// Keras' per-epoch progress line on stderr: batches done, loss, accuracy and elapsed time.
///
/// On a terminal it redraws one line per batch; otherwise (logs, CI) it writes one line per epoch.
struct ProgressBar {
    let total: Int
    let title: String
    let interactive: Bool
    let start = Date()
    private var lastDraw = Date.distantPast

    init(total: Int, title: String, interactive: Bool) {
        self.total = total
        self.title = title
        self.interactive = interactive
    }

    /// Whether stderr is a terminal.
    static var stderrIsTerminal: Bool { isatty(2) != 0 }

    mutating func update(done: Int, metrics: [(String, Float)]) {
        guard interactive else { return }
        let now = Date()
        // Redrawing costs a write syscall; 20 times a second is smooth enough.
        guard done == total || now.timeIntervalSince(lastDraw) > 0.05 else { return }
        lastDraw = now
        write("\r" + line(done: done, metrics: metrics))
    }

    func finish(metrics: [(String, Float)]) {
        write((interactive ? "\r" : "") + line(done: total, metrics: metrics) + "\n")
    }

    private func line(done: Int, metrics: [(String, Float)]) -> String {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "=", count: Swift.max(filled - 1, 0)) + (filled > 0 ? (done == total ? "=" : ">") : "")
            + String(repeating: ".", count: width - filled)
        let values = metrics.map { " - \($0.0): \(String(format: "%.4f", $0.1))" }.joined()
        let elapsed = String(format: "%.1fs", Date().timeIntervalSince(start))
        return "\(title) \(done)/\(total) [\(bar)] \(elapsed)\(values)"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
