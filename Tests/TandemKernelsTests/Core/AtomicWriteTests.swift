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

/// Durability and cleanup of `writeAtomically`.
final class AtomicWriteCleanupTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A process id that is not running: a short-lived child that has exited and been reaped.
    func deadProcessID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testStaleTemporariesOfKilledSavesAreRemovedByTheNextSave() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("model.safetensors")
        let dead = try deadProcessID()
        let stale = ".model.safetensors.\(dead).\(UUID().uuidString).tmp"
        let running = ".model.safetensors.1.\(UUID().uuidString).tmp"  // pid 1 always runs: not stale
        let other = ".other.bin.\(dead).\(UUID().uuidString).tmp"  // another file's temporary: left alone
        for name in [stale, running, other] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data([0])))
        }
        try writeAtomically(Data([7]), to: url)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        XCTAssertEqual(left, ["model.safetensors", running, other])
    }

    func testAFailedWriteLeavesNoTemporaryAndKeepsTheOldFile() throws {
        let directory = try temporaryDirectory()
        let url = directory.appendingPathComponent("target")
        try writeAtomically(Data([1]), to: url)
        // A directory in the way of the rename: the write fails after the temporary was written.
        let blocked = directory.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("child"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try writeAtomically(Data([2]), to: blocked))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)), ["target", "blocked"])
        XCTAssertEqual(try Data(contentsOf: url), Data([1]))
    }
}
