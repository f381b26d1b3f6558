import Foundation

/// Writes a state dict to a file in the safetensors format (`safetensors.torch.save_file`), so
/// that PyTorch opens it with `safetensors.torch.load_file(path)`.
///
/// The write is atomic: the bytes go to a temporary file in the same directory, which is then
/// renamed over `url`, so a crash never leaves a half-written file behind.
///
/// Layout: an 8-byte little-endian header length N, N bytes of JSON (`{"name": {"dtype": "F32",
/// "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`, padded with spaces to
/// a multiple of 8), then the float32 values, little-endian, in the order of the sorted names.
/// A `num_batches_tracked` count is written as int64 (dtype "I64"), PyTorch's dtype for it.
///
/// ```swift
/// try save(model.stateDict(), to: URL(fileURLWithPath: "mlp.safetensors"))
/// ```
///
/// A key named `__metadata__` is refused (the format reserves it for the header's metadata,
/// so such a file could never be loaded), before anything is written.
public func save(_ stateDict: [String: NDArray], to url: URL) throws {
    try SafeTensors.checkNames(stateDict.keys, path: url.path)
    try writeAtomically(SafeTensors.encode(stateDict), to: url)
}

/// Reads a state dict from a safetensors file (`safetensors.torch.load_file`), validating it
/// completely first: a truncated or corrupt file, a dtype other than F32 (or I64, read as
/// whole-number floats), or offsets that do not match the shapes throw `TandemError.file` naming the file and the problem.
///
/// ```swift
/// try model.loadStateDict(load(from: URL(fileURLWithPath: "mlp.safetensors")))
/// ```
public func load(from url: URL) throws -> [String: NDArray] {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw TandemError.file(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
    }
    return try SafeTensors.decode(data, path: url.path)
}

/// The safetensors encoding (https://github.com/huggingface/safetensors), float32, and int64 for the `num_batches_tracked` counts PyTorch keeps as integers.
enum SafeTensors {
    /// The largest header accepted (the reference implementation's limit is 100 MB).
    static let maxHeaderBytes = 100_000_000

    /// The key the format reserves for the header's metadata.
    static let metadataKey = "__metadata__"

    /// Throws when a tensor name is the reserved `__metadata__` (the file would not load).
    static func checkNames(_ names: some Sequence<String>, path: String) throws(TandemError) {
        if names.contains(metadataKey) {
            throw .file(path: path, reason: "cannot save a tensor named \"\(metadataKey)\": safetensors reserves that key for "
                + "the header's metadata, so the file could never be loaded; rename the entry")
        }
    }

    /// The file's bytes; `metadata` joins `"format": "pt"` in the header's `__metadata__`.
    static func encode(_ stateDict: [String: NDArray], metadata: [String: String] = [:]) -> Data {
        let names = stateDict.keys.sorted()
        var entries: [String] = []
        var offset = 0
        for name in names {
            let array = stateDict[name]!
            let isInteger = isIntegerKey(name)
            let bytes = array.count * (isInteger ? 8 : 4)
            entries.append(
                "\(jsonString(name)):{\"dtype\":\"\(isInteger ? "I64" : "F32")\",\"shape\":[\(array.shape.map(String.init).joined(separator: ","))],"
                    + "\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        let allMetadata = metadata.merging(["format": "pt"]) { given, _ in given }
        let metadataEntries = allMetadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(allMetadata[$0]!))" }
        entries.append("\"__metadata__\":{\(metadataEntries.joined(separator: ","))}")
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            if isIntegerKey(name) {
                // Counts are whole numbers; a value past Int64 (never a real count) is written as 0.
                let words = stateDict[name]!.scalars.map { UInt64(bitPattern: Int64(exactly: $0.rounded()) ?? 0).littleEndian }
                words.withUnsafeBytes { data.append(contentsOf: $0) }
                continue
            }
            stateDict[name]!.withUnsafeBufferPointer { values in
                var little = [UInt32](repeating: 0, count: values.count)
                for i in 0..<values.count { little[i] = values[i].bitPattern.littleEndian }
                little.withUnsafeBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    static func decode(_ data: Data, path: String) throws -> [String: NDArray] {
        try decodeWithMetadata(data, path: path).tensors
    }

    /// The tensors and the header's `__metadata__` (string values only, as the format requires).
    static func decodeWithMetadata(_ data: Data, path: String) throws -> (tensors: [String: NDArray], metadata: [String: String]) {
        func fail(_ reason: String) -> TandemError { .file(path: path, reason: "not a valid safetensors file: \(reason)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, too short for the 8-byte header length") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maxHeaderBytes) else { throw fail("header length \(headerLength) is too large") }
        guard headerLength >= 2, 8 + Int(headerLength) <= bytes.count else {
            throw fail("header length \(headerLength) does not fit in a file of \(bytes.count) bytes (truncated?)")
        }
        let headerEnd = 8 + Int(headerLength)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
        } catch {
            throw fail("the header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("the header is not a JSON object") }
        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let strings = raw as? [String: String] else { throw fail("__metadata__ is not an object of strings") }
            metadata = strings
        }
        let dataSize = bytes.count - headerEnd

        struct Entry {
            let name: String
            let shape: [Int]
            let isInteger: Bool
            let begin: Int
            let end: Int
        }
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any] else { throw fail("entry \"\(name)\" is not an object") }
            guard let dtype = info["dtype"] as? String else { throw fail("entry \"\(name)\" has no dtype") }
            guard dtype == "F32" || dtype == "I64" else {
                throw fail("tensor \"\(name)\" has dtype \(dtype); only F32 (and I64 counts) are supported")
            }
            let width = dtype == "I64" ? 8 : 4
            guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor \"\(name)\" has an invalid shape")
            }
            guard let offsets = integers(info["data_offsets"]), offsets.count == 2 else {
                throw fail("tensor \"\(name)\" has invalid data_offsets")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \"\(name)\" has data_offsets [\(begin), \(end)] outside the \(dataSize) data bytes (truncated?)")
            }
            // Checked like every size from input: also a shape whose zero hides huge other dims.
            guard let count = elementCount(of: shape), count <= dataSize else {
                throw fail("tensor \"\(name)\" of shape \(formatShape(shape)) is larger than the file")
            }
            guard count * width == end - begin else {
                throw fail("tensor \"\(name)\" of shape \(formatShape(shape)) needs \(count * width) bytes but data_offsets span \(end - begin)")
            }
            entries.append(Entry(name: name, shape: shape, isInteger: width == 8, begin: begin, end: end))
        }
        // The data must be covered exactly, without gaps or overlaps (as the reference validates).
        var position = 0
        for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard entry.begin == position else { throw fail("tensor \"\(entry.name)\" overlaps another or leaves a gap") }
            position = entry.end
        }
        guard position == dataSize else { throw fail("the data holds \(dataSize) bytes but the tensors cover \(position)") }

        var result: [String: NDArray] = [:]
        for entry in entries {
            let width = entry.isInteger ? 8 : 4
            let count = (entry.end - entry.begin) / width
            var values = [Float](repeating: 0, count: count)
            let base = headerEnd + entry.begin
            for i in 0..<count {
                let p = base + width * i
                if entry.isInteger {
                    var word: UInt64 = 0
                    for k in 0..<8 { word |= UInt64(bytes[p + k]) << (8 * UInt64(k)) }
                    values[i] = Float(Int64(bitPattern: word))
                    continue
                }
                let word = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                values[i] = Float(bitPattern: word)
            }
            result[entry.name] = NDArray(shape: entry.shape, scalars: values)
        }
        return (result, metadata)
    }

    /// Whether a key holds a count that PyTorch keeps as int64 (batch norm's
    /// `num_batches_tracked`): written as I64 so `load_state_dict(strict=True)` gets its dtype.
    static func isIntegerKey(_ name: String) -> Bool {
        name == "num_batches_tracked" || name.hasSuffix(".num_batches_tracked")
    }

    /// An array of whole numbers from JSON, or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let numbers = value as? [Any] else { return nil }
        var result: [Int] = []
        for number in numbers {
            guard let value = (number as? NSNumber)?.doubleValue, value == value.rounded(), abs(value) < 9e15 else {
                return nil
            }
            result.append(Int(value))
        }
        return result
    }

    /// A JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
