import Foundation
import XCTest

@testable import TandemCompare

/// The two-rank versus one-process equality of issue 12: `mpirun -np 2 tandem train
/// --distributed --batch-size 32` must give the per-step losses of `tandem train --batch-size 64`
/// (within 1e-5 over 20 steps) in both frontends. Each rank's half-batch mean, averaged over the
/// ranks, is the full batch's mean; only the order of float additions differs.
final class ReferenceTrainingDistributedTests: XCTestCase {
    func losses(_ json: URL) throws -> [Double] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        return try XCTUnwrap(object?["losses"] as? [Double], "no losses in \(json.path)")
    }

    func testTwoRanksOfHalfTheBatchGiveTheOneProcessLosses() throws {
        guard let launcher = MPILauncher() else {
            throw XCTSkip("mpirun not found: install openmpi-bin (scripts/setup.sh installs it) to run the two-rank equality test")
        }
        guard let tandem = MPILauncher.tandemExecutable() else { throw XCTSkip("the tandem executable was not built") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-equality-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for frontend in ["eager", "graph"] {
            let one = directory.appendingPathComponent("\(frontend)-1.json"), two = directory.appendingPathComponent("\(frontend)-2.json")
            let common = ["train", "--frontend", frontend, "--steps", "20", "--no-progress"]
            let single = try MPILauncher.run(
                tandem, arguments: common + ["--batch-size", "64", "--json", one.path], environment: ["OPENBLAS_NUM_THREADS": "1"])
            XCTAssertEqual(single.status, 0, single.output)
            let pair = try launcher.run(
                ranks: 2, executable: tandem, arguments: common + ["--distributed", "--batch-size", "32", "--json", two.path])
            XCTAssertEqual(pair.status, 0, pair.output)
            let reference = try losses(one), distributed = try losses(two)
            XCTAssertEqual(reference.count, 20)
            XCTAssertEqual(distributed.count, 20)
            let worst = zip(reference, distributed).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(worst, 1e-5, "\(frontend): one process \(reference)\ntwo ranks \(distributed)")
            XCTAssertLessThan(reference.last!, reference.first!, "\(frontend): the loss must fall")
            print("\(frontend): max |loss(2 ranks x 32) - loss(1 process x 64)| over 20 steps = \(worst)")
        }
    }
}
