import Foundation
import XCTest
@testable import TandemCompare

final class HTMLReportTests: XCTestCase {
    func testPageIsSelfContained() {
        let html = HTMLReport(sampleReport()).html()
        XCTAssertFalse(html.contains("http://"), "the page must not reference the network")
        XCTAssertFalse(html.contains("https://"), "the page must not reference the network")
        XCTAssertFalse(html.contains("<script"), "the page needs no scripts")
        XCTAssertFalse(html.contains("<link"), "the page loads no stylesheets")
    }

    func testPageContainsEveryChart() {
        let html = HTMLReport(sampleReport()).html()
        // Loss, |Δloss|, two speed bars, memory timeline, peak bars = 6 charts; 2 graph pictures.
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"chart\"").count - 1, 6)
        XCTAssertEqual(html.components(separatedBy: "<svg class=\"graph\"").count - 1, 2)
        XCTAssertTrue(html.contains("class=\"scorecard\""))
        XCTAssertEqual(html.components(separatedBy: "<svg").count, html.components(separatedBy: "</svg>").count)
    }

    /// Set TANDEM_REPORT_PREVIEW=DIR to write the sample page for a look in a browser.
    func testWritePreviewWhenAsked() throws {
        guard let path = ProcessInfo.processInfo.environment["TANDEM_REPORT_PREVIEW"] else { return }
        try HTMLReport(sampleReport()).write(to: URL(fileURLWithPath: path))
    }

    func testWriteCreatesIndexAtomically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try HTMLReport(sampleReport()).write(to: directory)
        XCTAssertEqual(url.lastPathComponent, "index.html")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        XCTAssertEqual(files, ["index.html"], "no temporary file may be left behind")
    }

    /// Opt-in (TANDEM_RENDER_TEST=1, needs Debian's chromium): the page renders in headless
    /// Chromium to a non-trivial screenshot via scripts/render-report.sh.
    func testPageRendersInHeadlessChromium() throws {
        guard ProcessInfo.processInfo.environment["TANDEM_RENDER_TEST"] == "1" else { return }
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-render-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try HTMLReport(sampleReport()).write(to: directory)
        let shot = directory.appendingPathComponent("shot.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [root.appendingPathComponent("scripts/render-report.sh").path, page.path, shot.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["HEIGHT": "2400"]) { $1 }
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let size = try FileManager.default.attributesOfItem(atPath: shot.path)[.size] as? Int ?? 0
        XCTAssertGreaterThan(size, 20_000, "a rendered page with charts is far larger than a blank PNG")
    }
}
