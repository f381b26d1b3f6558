import Foundation
import TandemEager

/// The fuzzed function: the input is a candidate safetensors file, read through the public
/// `load(from:)` (from a file in /dev/shm, as a user's file would be). Any thrown `TandemError`
/// is a correct answer; a crash, a trap or a sanitizer report is a bug.
func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let url = URL(fileURLWithPath: "/dev/shm/tandem-fuzz-safetensors-\(getpid()).bin")
    guard (try? Data(bytes: data, count: size).write(to: url)) != nil else { return 0 }
    if let tensors = try? load(from: url) {
        // A file that loads must hold what it declares.
        for (_, array) in tensors { _ = array.scalars.reduce(0, +) }
    }
    return 0
}

/// The entry point libFuzzer's runtime references (the driver below calls the callback it is given).
@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzSafeTensors(data, size) }

/// libFuzzer's driver (in the fuzzer runtime linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var arguments = CommandLine.argc
var argumentVector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&arguments, &argumentVector, { fuzzSafeTensors($0, $1) }))
