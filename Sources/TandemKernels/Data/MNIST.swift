import Foundation

/// The MNIST handwritten digits: images as an `NDArray` of shape [N, 1, 28, 28] with pixels
/// scaled to [0, 1], and integer labels.
///
/// Tandem bundles a 5,000-digit stratified subset (4,000 train, 1,000 test; see the README in
/// `Resources/mnist-5k`). The full database in the same IDX files loads unchanged with
/// `load(_:from:)`.
///
/// ```swift
/// let train = try MNIST.load(.train)          // the bundled copy
/// let (x, y) = train.batch(Array(0..<64))     // x: [64, 1, 28, 28], y: 64 labels
/// ```
public struct MNIST {
    /// Which part of the database to load.
    public enum Split: String {
        /// The training images (`train-*` files).
        case train
        /// The test images (`t10k-*` files).
        case test

        /// The file-name prefix the MNIST distribution uses for this split.
        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// The images, shape [N, 1, rows, columns] (28 x 28 for MNIST), pixels / 255.
    public let images: NDArray
    /// The N labels, each in 0...9.
    public let labels: [Int]

    /// The number of examples.
    public var count: Int { labels.count }

    /// The directory of the copy bundled with TandemKernels.
    public static var bundledDirectory: URL {
        if let url = Bundle.module.url(forResource: "mnist-5k", withExtension: nil) { return url }
        return Bundle.module.bundleURL.appendingPathComponent("mnist-5k")
    }

    /// Creates a dataset from images [N, 1, rows, columns] and N labels.
    public init(images: NDArray, labels: [Int]) {
        precondition(
            images.rank == 4 && images.shape[0] == labels.count,
            "MNIST: images of shape \(formatShape(images.shape)) do not match \(labels.count) labels")
        self.images = images.contiguous()
        self.labels = labels
    }

    /// Loads a split; verifies SHA256SUMS when the directory has one (the bundled copy does); errors are
    /// `TandemError.file(path:reason:)` naming the file and what is wrong (missing, truncated, bad magic,
    /// checksum mismatch, images/labels count mismatch, label out of range).
    ///
    /// - Parameters:
    ///   - split: `.train` or `.test`.
    ///   - directory: a directory holding the IDX files, plain or `.gz`; nil for the bundled copy.
    /// - Returns: the images and labels of the split.
    public static func load(_ split: Split, from directory: URL? = nil) throws -> MNIST {
        let directory = directory ?? bundledDirectory
        let checksums = try readChecksums(in: directory)
        let imagesURL = try locate("\(split.filePrefix)-images-idx3-ubyte", in: directory)
        let labelsURL = try locate("\(split.filePrefix)-labels-idx1-ubyte", in: directory)

        let imageFile = try IDX.parse(verified(imagesURL, against: checksums), path: imagesURL.path)
        let labelFile = try IDX.parse(verified(labelsURL, against: checksums), path: labelsURL.path)

        guard imageFile.shape.count == 3 else {
            throw TandemError.file(
                path: imagesURL.path,
                reason: "expected images of shape [count, rows, columns], found \(formatShape(imageFile.shape))")
        }
        guard labelFile.shape.count == 1 else {
            throw TandemError.file(
                path: labelsURL.path, reason: "expected labels of shape [count], found \(formatShape(labelFile.shape))")
        }
        let n = imageFile.shape[0]
        guard labelFile.shape[0] == n else {
            throw TandemError.file(
                path: labelsURL.path,
                reason: "holds \(labelFile.shape[0]) labels but \(imagesURL.lastPathComponent) holds \(n) images")
        }
        if let index = labelFile.bytes.firstIndex(where: { $0 > 9 }) {
            throw TandemError.file(
                path: labelsURL.path, reason: "label \(labelFile.bytes[index]) at index \(index) is outside 0...9")
        }

        let images = NDArray(uninitializedShape: [n, 1, imageFile.shape[1], imageFile.shape[2]])
        // A 256-entry table turns the conversion into one load per pixel, which keeps the load
        // fast even in debug builds.
        let scale = (0..<256).map { Float($0) / 255 }
        scale.withUnsafeBufferPointer { table in
            imageFile.bytes.withUnsafeBufferPointer { pixels in
                let out = images.storage.pointer
                for i in 0..<pixels.count { out[i] = table[Int(pixels[i])] }
            }
        }
        return MNIST(images: images, labels: labelFile.bytes.map { Int($0) })
    }

    /// A batch of images and labels by indices (for data loaders): images [k, 1, 28, 28], labels as [Int].
    ///
    /// - Parameter indices: example indices, each in `0..<count`; repeats are allowed.
    /// - Returns: the selected images, in the order of `indices`, and their labels.
    public func batch(_ indices: [Int]) -> (images: NDArray, labels: [Int]) {
        let imageShape = Array(images.shape.dropFirst())
        let size = imageShape.reduce(1, *)
        let result = NDArray(uninitializedShape: [indices.count] + imageShape)
        let source = images.storage.pointer + images.offset
        var batchLabels = [Int]()
        batchLabels.reserveCapacity(indices.count)
        for (row, index) in indices.enumerated() {
            precondition(index >= 0 && index < count, "MNIST.batch: index \(index) is outside 0..<\(count)")
            (result.storage.pointer + row * size).update(from: source + index * size, count: size)
            batchLabels.append(labels[index])
        }
        return (result, batchLabels)
    }

    // MARK: Files

    /// The URL of `name.gz` or, failing that, plain `name` in `directory`.
    private static func locate(_ name: String, in directory: URL) throws(TandemError) -> URL {
        let fileManager = FileManager.default
        for candidate in [name + ".gz", name] {
            let url = directory.appendingPathComponent(candidate)
            if fileManager.fileExists(atPath: url.path) { return url }
        }
        throw .file(
            path: directory.appendingPathComponent(name).path,
            reason: "file not found (looked for \(name).gz and \(name) in \(directory.path))")
    }

    /// Parses `SHA256SUMS` (the `sha256sum` output format) when `directory` has one.
    private static func readChecksums(in directory: URL) throws -> [String: String] {
        let url = directory.appendingPathComponent("SHA256SUMS")
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        let text = String(decoding: try IDX.readFile(url), as: UTF8.self)
        var sums = [String: String]()
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: " ", maxSplits: 1)
            let digest = parts[0].lowercased()
            guard parts.count == 2, digest.count == 64, digest.allSatisfy(\.isHexDigit) else {
                throw TandemError.file(path: url.path, reason: "line \(number + 1) is not '<sha256>  <file name>'")
            }
            // `sha256sum` marks binary mode with '*' before the name.
            var name = parts[1].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("*") { name.removeFirst() }
            sums[name] = digest
        }
        return sums
    }

    /// The bytes of `url`, after checking them against their listed checksum (files the list does
    /// not name, such as a gunzipped copy, are not checked).
    private static func verified(_ url: URL, against checksums: [String: String]) throws -> [UInt8] {
        let bytes = try IDX.readFile(url)
        if let expected = checksums[url.lastPathComponent] {
            let actual = SHA256.hex(bytes)
            guard actual == expected else {
                throw TandemError.file(
                    path: url.path,
                    reason: "checksum mismatch: SHA-256 is \(actual) but SHA256SUMS lists \(expected) "
                        + "(the file is corrupt or was replaced)")
            }
        }
        return bytes
    }
}
