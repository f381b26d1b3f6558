import Foundation
import XCTest
@testable import TandemCompare

final class ComparisonReportTests: XCTestCase {
    func testJSONHasTheRequiredKeys() throws {
        let data = try sampleReport().json()
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(root["model"] as? String, "mlp")
        XCTAssertNotNil(root["max_loss_diff"] as? Double)
        XCTAssertNotNil(root["debuggability"] as? [Any])
        let frontends = try XCTUnwrap(root["frontends"] as? [String: Any])
        for name in ["eager", "graph"] {
            let f = try XCTUnwrap(frontends[name] as? [String: Any], name)
            XCTAssertEqual((f["losses"] as? [Any])?.count, 50)
            XCTAssertNotNil(f["ms_per_step"] as? Double)
            XCTAssertNotNil(f["peak_bytes"] as? Int)
        }
    }

    func testMaxLossDiffIsTheLargestStepDifference() {
        var m = ModelResult(spec: .simpleCNN, steps: 3, batchSize: 2, seed: 0, tolerance: 1e-4)
        m.eager.losses = [1, 2, 3]
        m.graph.losses = [1, 2.5, 3.1]
        XCTAssertEqual(m.maxLossDiff, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.firstDivergentStep, 1)
        m.graph.losses = [1, .nan, 3]
        XCTAssertEqual(m.maxLossDiff, .infinity)
    }

    func testNonFiniteNumbersBecomeNull() throws {
        var report = sampleReport()
        report.models[0].graph.losses[3] = .nan
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        XCTAssertTrue(root["max_loss_diff"] is NSNull)
    }

    func testPeersFileIsMergedAndValidated() throws {
        let directory = FileManager.default.temporaryDirectory
        let url = directory.appendingPathComponent("peers-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("""
            {"frameworks": {"pytorch": {"mlp": {"losses": [2.3, 2.0], "ms_per_step": 4.2, "peak_bytes": null}}},
             "debuggability": [{"fault": "nan_from_log", "frontend": "pytorch", "when": "never"}], "notes": ["torch 2"]}
            """.utf8).write(to: url)
        let peers = try PeerResults.load(from: url)
        XCTAssertEqual(peers.frameworks["pytorch"]?["mlp"]?.msPerStep, 4.2)
        XCTAssertEqual(peers.scorecard.first?.when, .never)
        var report = sampleReport()
        report.peers = peers
        XCTAssertTrue(report.scorecardTable().contains("pytorch"))

        try Data("[1, 2]".utf8).write(to: url)
        XCTAssertThrowsError(try PeerResults.load(from: url))
    }

    func testTerminalTablesRender() {
        let text = sampleReport().table()
        XCTAssertTrue(text.contains("mlp"))
        XCTAssertTrue(text.contains("Debuggability"))
        XCTAssertTrue(text.contains("1 of 1"))
    }
}
