import Foundation
import TandemCompare

/// TensorBoard runs for the command line: one run directory per model and frontend
/// (`DIR/mlp-eager`, `DIR/mlp-graph`, ...), each with the tag `loss`, so TensorBoard draws the
/// frontends' loss curves in one chart.
enum TensorBoardLog {
    /// The run directory of `model` trained by `frontend` under `logDir`.
    static func runDirectory(_ logDir: String, model: String, frontend: String) -> URL {
        URL(fileURLWithPath: logDir).appendingPathComponent("\(model)-\(frontend)")
    }

    /// Logs every frontend's per-step loss and step time of one comparison.
    static func write(_ result: ModelResult, to logDir: String) throws {
        for frontend in result.frontends {
            let writer = try SummaryWriter(
                logDir: runDirectory(logDir, model: result.spec.name, frontend: frontend.frontend))
            for (step, loss) in frontend.losses.enumerated() { writer.addScalar("loss", Float(loss), step: step) }
            for (step, ms) in frontend.stepMs.enumerated() { writer.addScalar("ms_per_step", Float(ms), step: step) }
            writer.close()
            note("wrote \(writer.fileURL.path)")
        }
    }
}
