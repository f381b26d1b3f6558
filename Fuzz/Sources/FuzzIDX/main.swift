import Foundation
import TandemKernels

/// The fuzzed function: the input is a candidate IDX file, plain or gzip-compressed, parsed by
/// the public `IDX.parse(_:path:)` (the MNIST reader's first step). A thrown `TandemError` is a
/// correct answer; a crash, a trap, a sanitizer report or an allocation past libFuzzer's
/// `-rss_limit_mb` (a gzip bomb) is a bug.
func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    if let parsed = try? IDX.parse(bytes, path: "fuzz.idx") {
        precondition(
            elementCount(of: parsed.shape) == parsed.bytes.count,
            "IDX.parse returned \(parsed.bytes.count) bytes for shape \(parsed.shape)")
    }
    return 0
}

/// The entry point libFuzzer's runtime references (the driver below calls the callback it is given).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzIDX(data, size) }

/// libFuzzer's driver (in the fuzzer runtime linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var arguments = CommandLine.argc
var argumentVector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argumentVector, { fuzzIDX($0, $1) }))
