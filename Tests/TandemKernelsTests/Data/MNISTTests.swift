import Foundation
import XCTest

@testable import TandemKernels

/// The bundled MNIST subset, batching, and every way a dataset directory can be bad.
final class MNISTTests: XCTestCase {
    private static let fileNames = [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "SHA256SUMS",
    ]

    private var temporaryDirectory: URL!

    override func setUpWithError() throws {
        temporaryDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tandem-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: temporaryDirectory)
    }

    /// Copies the bundled files into the temporary directory.
    private func copyBundle() throws {
        for name in Self.fileNames {
            try FileManager.default.copyItem(
                at: MNIST.bundledDirectory.appendingPathComponent(name),
                to: temporaryDirectory.appendingPathComponent(name))
        }
    }

    /// Writes a plain (uncompressed) IDX file into the temporary directory.
    private func write(_ name: String, shape: [Int], data: [UInt8]) throws {
        try Data(IDXTests.idxFile(shape: shape, data: data)).write(to: temporaryDirectory.appendingPathComponent(name))
    }

    // MARK: The bundled copy

    func testBundledSplitsHaveStratifiedCountsAndUnitPixels() throws {
        for (split, count) in [(MNIST.Split.train, 4000), (.test, 1000)] {
            let data = try MNIST.load(split)
            XCTAssertEqual(data.count, count)
            XCTAssertEqual(data.images.shape, [count, 1, 28, 28])
            XCTAssertEqual(data.labels.count, count)
            var perClass = [Int](repeating: 0, count: 10)
            for label in data.labels { perClass[label] += 1 }
            XCTAssertEqual(perClass, [Int](repeating: count / 10, count: 10), "\(split)")

            let pixels = data.images.scalars
            XCTAssertEqual(pixels.min(), 0)
            XCTAssertEqual(pixels.max(), 1)
            // Digits are mostly background: the mean ink of MNIST is about 0.13.
            let mean = pixels.reduce(0, +) / Float(pixels.count)
            XCTAssertGreaterThan(mean, 0.08)
            XCTAssertLessThan(mean, 0.2)
        }
    }

    func testPixelsArePixelBytesOver255() throws {
        // Independent path: decode the image file with IDX and scale by hand.
        let raw = try IDX.read(MNIST.bundledDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let data = try MNIST.load(.test)
        let first = Array(data.images.scalars[0..<784])
        XCTAssertEqual(first, raw.bytes[0..<784].map { Float($0) / 255 })
        let last = Array(data.images.scalars[(999 * 784)...])
        XCTAssertEqual(last, raw.bytes[(999 * 784)...].map { Float($0) / 255 })
    }

    func testBatchGathersImagesAndLabelsInOrder() throws {
        let data = try MNIST.load(.test)
        let indices = [7, 0, 999, 7]
        let (images, labels) = data.batch(indices)
        XCTAssertEqual(images.shape, [4, 1, 28, 28])
        XCTAssertEqual(labels, indices.map { data.labels[$0] })
        let all = data.images.scalars
        let batch = images.scalars
        for (row, index) in indices.enumerated() {
            XCTAssertEqual(Array(batch[(row * 784)..<((row + 1) * 784)]), Array(all[(index * 784)..<((index + 1) * 784)]))
        }
        XCTAssertEqual(data.batch([]).images.shape, [0, 1, 28, 28])
    }

    func testLoadsPlainFilesWithoutChecksums() throws {
        // 3 images of 2x2 and their labels, uncompressed, no SHA256SUMS.
        try write("train-images-idx3-ubyte", shape: [3, 2, 2], data: [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8])
        try write("train-labels-idx1-ubyte", shape: [3], data: [9, 0, 4])
        let data = try MNIST.load(.train, from: temporaryDirectory)
        XCTAssertEqual(data.images.shape, [3, 1, 2, 2])
        XCTAssertEqual(data.labels, [9, 0, 4])
        XCTAssertEqual(Array(data.images.scalars[0..<4]), [0, 1, 0.2, 0.4])
    }

    // MARK: Rejecting

    func testRejectsMissingFile() throws {
        try write("t10k-images-idx3-ubyte", shape: [1, 2, 2], data: [0, 0, 0, 0])
        IDXTests.assertFileError("t10k-labels-idx1-ubyte.gz and t10k-labels-idx1-ubyte") {
            _ = try MNIST.load(.test, from: temporaryDirectory)
        }
    }

    func testRejectsChecksumMismatch() throws {
        try copyBundle()
        let url = temporaryDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: url)
        IDXTests.assertFileError("checksum mismatch", path: url.path) {
            _ = try MNIST.load(.test, from: temporaryDirectory)
        }
        // The other split's files are intact and still load.
        XCTAssertEqual(try MNIST.load(.train, from: temporaryDirectory).count, 4000)
    }

    func testRejectsTruncatedBundledFile() throws {
        try copyBundle()
        try FileManager.default.removeItem(at: temporaryDirectory.appendingPathComponent("SHA256SUMS"))
        let url = temporaryDirectory.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        let bytes = [UInt8](try Data(contentsOf: url))
        try Data(bytes.prefix(bytes.count / 3)).write(to: url)
        IDXTests.assertFileError("truncated", path: url.path) { _ = try MNIST.load(.test, from: temporaryDirectory) }
    }

    func testRejectsMalformedChecksumList() throws {
        try copyBundle()
        try Data("not a checksum line\n".utf8).write(to: temporaryDirectory.appendingPathComponent("SHA256SUMS"))
        IDXTests.assertFileError("line 1") { _ = try MNIST.load(.test, from: temporaryDirectory) }
    }

    func testRejectsImageLabelCountMismatch() throws {
        try write("train-images-idx3-ubyte", shape: [2, 2, 2], data: [UInt8](repeating: 0, count: 8))
        try write("train-labels-idx1-ubyte", shape: [3], data: [1, 2, 3])
        IDXTests.assertFileError("holds 3 labels but train-images-idx3-ubyte holds 2 images") {
            _ = try MNIST.load(.train, from: temporaryDirectory)
        }
    }

    func testRejectsLabelOutOfRange() throws {
        try write("train-images-idx3-ubyte", shape: [2, 2, 2], data: [UInt8](repeating: 0, count: 8))
        try write("train-labels-idx1-ubyte", shape: [2], data: [3, 10])
        IDXTests.assertFileError("label 10 at index 1") { _ = try MNIST.load(.train, from: temporaryDirectory) }
    }

    func testRejectsWrongRank() throws {
        try write("train-images-idx3-ubyte", shape: [8], data: [UInt8](repeating: 0, count: 8))
        try write("train-labels-idx1-ubyte", shape: [8], data: [UInt8](repeating: 0, count: 8))
        IDXTests.assertFileError("[count, rows, columns]") { _ = try MNIST.load(.train, from: temporaryDirectory) }
    }

    func testRejectsSwappedFiles() throws {
        // A labels file where the images should be: rank 1, so a clear shape error.
        try write("train-images-idx3-ubyte", shape: [2], data: [1, 2])
        try write("train-labels-idx1-ubyte", shape: [2], data: [1, 2])
        IDXTests.assertFileError("found [2]") { _ = try MNIST.load(.train, from: temporaryDirectory) }
    }
}
