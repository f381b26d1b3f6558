import Foundation
import TandemGraph

/// The fuzzed function: the input is a candidate Tandem graph file, read through the public
/// `Graph.load(from:)`. The checksum is recomputed over the mutated header and data first,
/// so the fuzzer reaches the JSON decoding and the graph rebuilding (shapes, offsets, ops)
/// instead of stopping at the checksum every time. A loaded graph is run once on zero feeds.
func fuzzGraphFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    fixChecksum(&bytes)
    let url = URL(fileURLWithPath: "/dev/shm/tandem-fuzz-graph-\(getpid()).tgraph")
    guard (try? Data(bytes).write(to: url)) != nil else { return 0 }
    guard let loaded = try? Graph.load(from: url) else { return 0 }
    // Run every node that has no placeholder input on the way, bounded in size.
    for node in loaded.graph.nodes.prefix(64) {
        guard let count = elementCount(of: node.staticShape.map { max($0, 1) }), count < 1 << 20 else { continue }
        _ = try? loaded.session.run(node)
    }
    return 0
}

/// Rewrites the trailing FNV-1a checksum of a file laid out as magic (8), version (4),
/// header length (8), header, data length (8), data, checksum (8), when the lengths fit.
func fixChecksum(_ bytes: inout [UInt8]) {
    func integer(at offset: Int) -> Int? {
        guard offset >= 0, offset + 8 <= bytes.count else { return nil }
        let value = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
        return value <= UInt64(bytes.count) ? Int(value) : nil
    }
    guard let headerLength = integer(at: 12), let dataLength = integer(at: 20 + headerLength) else { return }
    let dataStart = 28 + headerLength
    guard dataStart + dataLength + 8 == bytes.count else { return }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes[20..<(20 + headerLength)] + bytes[dataStart..<(dataStart + dataLength)] {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    for i in 0..<8 { bytes[dataStart + dataLength + i] = UInt8(truncatingIfNeeded: hash >> (8 * UInt64(i))) }
}

/// The entry point libFuzzer's runtime references (the driver below calls the callback it is given).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzGraphFile(data, size) }

/// libFuzzer's driver (in the fuzzer runtime linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var arguments = CommandLine.argc
var argumentVector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argumentVector, { fuzzGraphFile($0, $1) }))
