import XCTest

@testable import TandemEager
import TandemTestSupport

final class SafeTensorsTests: XCTestCase {
    func testRoundTripThroughAFile() throws {
        let directory = try temporaryDirectory(self)
        let url = directory.appendingPathComponent("model.safetensors")
        let model = Sequential {
            Linear(3, 4)
            ReLU()
            Linear(4, 2)
        }
        try save(model.stateDict(), to: url)
        let loaded = try load(from: url)
        XCTAssertEqual(loaded, model.stateDict())
        let other = Sequential {
            Linear(3, 4)
            ReLU()
            Linear(4, 2)
        }
        try other.loadStateDict(loaded)
        XCTAssertEqual(other.stateDict(), model.stateDict())
        // The atomic write leaves no temporary file behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
    }

    func testHeaderLayout() throws {
        let data = SafeTensors.encode(["b": NDArray(shape: [2], scalars: [1, 2]), "a": NDArray(3)])
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        XCTAssertEqual(length % 8, 0)
        XCTAssertEqual(data.count, 8 + length + 12)
        let header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        XCTAssertTrue(
            header.hasPrefix(
                #"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}"#),
            header)
        // 1.0 as little-endian float32 after the 3.0 of "a".
        XCTAssertEqual(Array(data.suffix(12)), [0, 0, 0x40, 0x40, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40])
    }

    func testReadsAFileWrittenByPyTorch() throws {
        let url = try temporaryDirectory(self).appendingPathComponent("torch.safetensors")
        try Data(base64Encoded: PyTorchReference.torchSafetensorsBase64)!.write(to: url)
        XCTAssertEqual(try load(from: url), PyTorchReference.torchSafetensorsState)
    }

    func testCorruptFilesAreRejected() throws {
        let good = SafeTensors.encode(["w": NDArray(shape: [2, 2], scalars: [1, 2, 3, 4])])
        func header(_ json: String, data: Int) -> Data {
            var bytes = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: Array(json.utf8))
            bytes.append(Data(count: data))
            return bytes
        }
        let cases: [(String, Data)] = [
            ("empty", Data()),
            ("too short", good.prefix(5)),
            ("truncated data", good.dropLast(3)),
            ("truncated header", good.prefix(20)),
            ("huge header length", Data([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]) + good.dropFirst(8)),
            ("not JSON", header("{not json}", data: 16)),
            ("not an object", header("[1, 2]", data: 0)),
            ("other dtype", header(#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: 4)),
            ("shape and offsets disagree", header(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8)),
            ("offsets past the end", header(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, data: 8)),
            ("overlap", header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 8)),
            ("negative dim", header(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: 8)),
            ("fractional offset", header(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,7.5]}}"#, data: 8)),
            ("huge shape", header(#"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: 8)),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try SafeTensors.decode(bytes, path: "bad.safetensors"), name) { error in
                guard case .file(let path, _) = error as? TandemError else { return XCTFail("\(name): \(error)") }
                XCTAssertEqual(path, "bad.safetensors")
            }
        }
        XCTAssertNoThrow(try SafeTensors.decode(good, path: "good"))
        XCTAssertThrowsError(try load(from: URL(fileURLWithPath: "/nonexistent/model.safetensors")))
    }
}

extension SafeTensorsTests {
    /// Regression: a state-dict key named `__metadata__` saved a file that could never be loaded.
    func testTheReservedMetadataKeyIsRejectedAtSaveTime() throws {
        let directory = try temporaryDirectory(self)
        let url = directory.appendingPathComponent("reserved.safetensors")
        XCTAssertThrowsError(try save(["__metadata__": NDArray(zeros: [2]), "w": NDArray(ones: [1])], to: url)) { error in
            guard case .file(let path, let reason)? = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("__metadata__"), reason)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [], "nothing written")
    }

    /// A declared shape whose 0 hides huge other dimensions is refused by the reader (it used
    /// to pass the byte-count check and reach the array constructor).
    func testAShapeWhoseZeroHidesHugeDimensionsIsRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[0,1099511627776,1099511627776],"data_offsets":[0,0]}}"#
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(Data(header.utf8))
        XCTAssertThrowsError(try SafeTensors.decode(bytes, path: "crafted.safetensors")) { error in
            guard case .file(_, let reason)? = error as? TandemError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("larger than the file"), reason)
        }
    }

    func testMetadataRoundTrips() throws {
        let data = SafeTensors.encode(["w": NDArray(1)], metadata: ["epoch": "3", "note": "a \"quoted\" value"])
        let (tensors, metadata) = try SafeTensors.decodeWithMetadata(data, path: "memory")
        XCTAssertEqual(tensors, ["w": NDArray(1)])
        XCTAssertEqual(metadata, ["format": "pt", "epoch": "3", "note": "a \"quoted\" value"])
    }
}
