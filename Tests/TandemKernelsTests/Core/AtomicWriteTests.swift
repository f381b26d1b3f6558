import Foundation
import XCTest

@testable import TandemKernels

final class AtomicWriteTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testWritesAndReplacesLeavingNoTemporaryFile() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("file.bin")
        try writeAtomically(Data([1, 2, 3]), to: url)
        try writeAtomically(Data([4, 5]), to: url)
        XCTAssertEqual(try Data(contentsOf: url), Data([4, 5]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["file.bin"])
    }

    func testCreatesTheDirectoryOnlyWhenAsked() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("a/b/file.txt")
        XCTAssertThrowsError(try writeAtomically(Data("x".utf8), to: url)) { error in
            guard case .file(let path, _)? = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
        try writeAtomically(Data("x".utf8), to: url, createDirectory: true)
        XCTAssertEqual(try Data(contentsOf: url), Data("x".utf8))
    }
}
