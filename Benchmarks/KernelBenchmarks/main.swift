// tandem-kernel-bench: Tandem's kernels against the raw baselines they are built on, side by side.
//
//   swift run -c release tandem-kernel-bench [--quick] [--json FILE]
//
// Matmul: `Op.matmul.evaluate([a, b])` against a direct `cblas_sgemm` on the same buffers, square
// sizes 64...1024 (goal: Tandem >= 0.95 of raw OpenBLAS). Elementwise: `Op.add` and `Op.relu` on
// 1M floats against `memcpy` bandwidth (goal: >= 0.8). Tandem is measured through the public API,
// so its numbers include allocating the output as a user sees it; the "reuse" rows pass
// `reusing:` storage, as the graph frontend's memory planner does, to show what allocation costs.
//
// Method: one warm-up round, then `samples` rounds; each round runs every contender of a row
// once, in rotating order, so machine noise (this box is shared) hits all contenders alike. A
// contender's time is the median over rounds of (round time / iterations per round); the best
// round is reported too.

import COpenBLAS
import Foundation
import TandemKernels

// MARK: Options

struct Options {
    var quick = false
    var jsonPath: String?

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick": options.quick = true
            case "--json":
                guard let path = rest.popFirst() else { fail("--json needs a file name") }
                options.jsonPath = path
            case "--help", "-h":
                print("usage: tandem-kernel-bench [--quick] [--json FILE]")
                exit(0)
            default: fail("unknown argument '\(argument)' (try --help)")
            }
        }
        return options
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("tandem-kernel-bench: \(message)\n".utf8))
        exit(2)
    }
}

// MARK: Timing

/// Monotonic nanoseconds.
@inline(__always) func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Keeps results observable so the optimiser cannot drop the work that produced them.
nonisolated(unsafe) var sink: Float = 0

/// One thing being timed: a name and a closure that does the work once.
struct Contender {
    let name: String
    let run: () -> Void
}

/// Seconds per call of one contender: the median over rounds, and the best round (a shared
/// machine's noise only ever adds time, so the best round shows what the code can do).
struct Timing {
    let median: Double
    let best: Double
}

/// The timing of each contender, measured in interleaved rounds.
func measure(_ contenders: [Contender], targetRoundSeconds: Double, samples: Int) -> [Timing] {
    // Warm-up (page faults, BLAS thread start-up, caches), and a first estimate of the cost.
    var perCall = [Double](repeating: 0, count: contenders.count)
    for (i, contender) in contenders.enumerated() {
        contender.run()
        let start = now()
        contender.run()
        perCall[i] = Double(now() - start) / 1e9
    }
    // The same iteration count for every contender of a row, sized from the slowest, so a round
    // lasts about `targetRoundSeconds` for it.
    let iterations = max(1, Int(targetRoundSeconds / max(perCall.max()!, 1e-9)))
    var times = [[Double]](repeating: [], count: contenders.count)
    for round in 0..<samples {
        for k in 0..<contenders.count {
            let i = (round + k) % contenders.count  // rotate who goes first
            let start = now()
            for _ in 0..<iterations { contenders[i].run() }
            times[i].append(Double(now() - start) / 1e9 / Double(iterations))
        }
    }
    return times.map { rounds in
        let sorted = rounds.sorted()
        return Timing(median: sorted[sorted.count / 2], best: sorted[0])
    }
}

/// An array of `count` values in [-1, 1) with a fixed pattern (no RNG dependency).
func filled(_ shape: [Int]) -> NDArray {
    let count = shape.reduce(1, *)
    return NDArray(shape: shape, scalars: (0..<count).map { Float(($0 &* 7919) % 2001) / 1000 - 1 })
}

/// Runs a Tandem op, stopping the benchmark with the error if it throws (it never should here).
@inline(__always) func evaluate(_ op: Op, _ inputs: [NDArray], reusing storage: Storage? = nil) -> NDArray {
    do {
        return try op.evaluate(inputs, reusing: storage)
    } catch {
        Options.fail("\(op) failed: \(error)")
    }
}

// MARK: Matmul

struct MatmulRow {
    let size: Int
    let rawMs: Double, tandemMs: Double, reuseMs: Double
    /// Best-round times, for the JSON report.
    let bestMs: [Double]
    var ratio: Double { rawMs / tandemMs }
    var reuseRatio: Double { rawMs / reuseMs }
    var gflops: Double { 2 * pow(Double(size), 3) / (rawMs / 1e3) / 1e9 }
}

func benchmarkMatmul(sizes: [Int], samples: Int, roundSeconds: Double) -> [MatmulRow] {
    sizes.map { n in
        let a = filled([n, n]), b = filled([n, n])
        let out = Storage(capacity: n * n)
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = out.pointer
        let contenders = [
            Contender(name: "cblas_sgemm") {
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                    1, pa, Int32(n), pb, Int32(n), 0, pc, Int32(n))
                sink += pc[0]
            },
            Contender(name: "Op.matmul") { sink += evaluate(.matmul, [a, b]).storage.pointer[0] },
            Contender(name: "Op.matmul reusing") {
                sink += evaluate(.matmul, [a, b], reusing: out).storage.pointer[0]
            },
        ]
        let t = measure(contenders, targetRoundSeconds: roundSeconds, samples: samples)
        return withExtendedLifetime((a, b, out)) {
            MatmulRow(
                size: n, rawMs: t[0].median * 1e3, tandemMs: t[1].median * 1e3, reuseMs: t[2].median * 1e3,
                bestMs: t.map { $0.best * 1e3 })
        }
    }
}

// MARK: Elementwise

struct BandwidthRow {
    let name: String
    /// Bytes moved per call: reads plus writes.
    let bytes: Int
    /// Median and best-round seconds per call.
    let seconds: Double, bestSeconds: Double
    var gigabytesPerSecond: Double { Double(bytes) / seconds / 1e9 }
    var bestGigabytesPerSecond: Double { Double(bytes) / bestSeconds / 1e9 }
}

func benchmarkElementwise(count: Int, samples: Int, roundSeconds: Double) -> [BandwidthRow] {
    let a = filled([count]), b = filled([count])
    let out = Storage(capacity: count)
    let bytes = count * MemoryLayout<Float>.stride
    let pa = a.storage.pointer, po = out.pointer
    let contenders = [
        Contender(name: "memcpy") {
            memcpy(po, pa, bytes)
            sink += po[count - 1]
        },
        Contender(name: "Op.add") { sink += evaluate(.add, [a, b]).storage.pointer[0] },
        Contender(name: "Op.add reusing") { sink += evaluate(.add, [a, b], reusing: out).storage.pointer[0] },
        Contender(name: "Op.relu") { sink += evaluate(.relu, [a]).storage.pointer[0] },
        Contender(name: "Op.relu reusing") { sink += evaluate(.relu, [a], reusing: out).storage.pointer[0] },
    ]
    let moved = [2 * bytes, 3 * bytes, 3 * bytes, 2 * bytes, 2 * bytes]
    let t = measure(contenders, targetRoundSeconds: roundSeconds, samples: samples)
    return withExtendedLifetime((a, b, out)) {
        contenders.indices.map { BandwidthRow(name: contenders[$0].name, bytes: moved[$0], seconds: t[$0].median, bestSeconds: t[$0].best) }
    }
}

// MARK: Report

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// The shared library that `cblas_sgemm` resolves to. The gsl pkg-config file also links GSL's
/// reference CBLAS, which is far slower: if it ever came first in the link order, every GEMM
/// would silently use it, so the benchmark says which one it measured.
func sgemmLibrary() -> String {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "cblas_sgemm") else { return "unknown" }
    // dladdr is not visible from Swift's Glibc module, so find the mapping in /proc/self/maps.
    let address = UInt(bitPattern: symbol)
    // Read to EOF: /proc files report a size of 0, so size-based readers see them empty.
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return "unknown" }
    let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    for line in maps.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        let bounds = fields.first?.split(separator: "-") ?? []
        guard fields.count >= 6, bounds.count == 2, let low = UInt(bounds[0], radix: 16),
            let high = UInt(bounds[1], radix: 16), low <= address, address < high
        else { continue }
        return URL(fileURLWithPath: String(fields[5])).lastPathComponent
    }
    return "unknown"
}

let options = Options.parse(CommandLine.arguments)
let samples = options.quick ? 3 : 9
let roundSeconds = options.quick ? 0.01 : 0.05
let sizes = options.quick ? [64, 128, 256] : [64, 128, 256, 512, 1024]
let elementCount = 1 << 20

print("tandem-kernel-bench\(options.quick ? " (quick)" : ""): median of \(samples) interleaved rounds, "
    + "\(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS threads \(openblas_get_num_threads())")
print("cblas_sgemm resolves to \(sgemmLibrary()) (\(String(cString: openblas_get_config())))")
print("")

let matmul = benchmarkMatmul(sizes: sizes, samples: samples, roundSeconds: roundSeconds)
print("matmul, square n x n (ratio = raw sgemm time / Tandem time; goal >= 0.95)")
print([pad("n", 5), pad("sgemm ms", 10), pad("GFLOP/s", 8), pad("Tandem ms", 10), pad("ratio", 6),
       pad("reuse ms", 10), pad("ratio", 6)].joined(separator: "  "))
for row in matmul {
    print([pad("\(row.size)", 5), pad(fixed(row.rawMs, 4), 10), pad(fixed(row.gflops, 1), 8),
           pad(fixed(row.tandemMs, 4), 10), pad(fixed(row.ratio, 3), 6),
           pad(fixed(row.reuseMs, 4), 10), pad(fixed(row.reuseRatio, 3), 6)].joined(separator: "  "))
}
print("")

let bandwidth = benchmarkElementwise(count: elementCount, samples: samples, roundSeconds: roundSeconds)
let memcpyRate = bandwidth[0].gigabytesPerSecond, bestMemcpyRate = bandwidth[0].bestGigabytesPerSecond
print("elementwise, \(elementCount) floats (bytes = reads + writes; ratio = GB/s / memcpy GB/s; goal >= 0.8)")
print("  median and best round; on a busy machine the median of a 2-thread kernel suffers most")
print([pad("kernel", 16), pad("us", 9), pad("GB/s", 7), pad("ratio", 6), pad("best GB/s", 10), pad("ratio", 6)]
    .joined(separator: "  "))
for row in bandwidth {
    print([pad(row.name, 16), pad(fixed(row.seconds * 1e6, 1), 9), pad(fixed(row.gigabytesPerSecond, 1), 7),
           pad(fixed(row.gigabytesPerSecond / memcpyRate, 2), 6), pad(fixed(row.bestGigabytesPerSecond, 1), 10),
           pad(fixed(row.bestGigabytesPerSecond / bestMemcpyRate, 2), 6)].joined(separator: "  "))
}

if let path = options.jsonPath {
    let report: [String: Any] = [
        "quick": options.quick,
        "samples": samples,
        "cores": ProcessInfo.processInfo.activeProcessorCount,
        "sgemm_library": sgemmLibrary(),
        "matmul": matmul.map {
            ["n": $0.size, "sgemm_ms": $0.rawMs, "tandem_ms": $0.tandemMs, "tandem_reuse_ms": $0.reuseMs,
             "ratio": $0.ratio, "reuse_ratio": $0.reuseRatio, "best_sgemm_ms": $0.bestMs[0],
             "best_tandem_ms": $0.bestMs[1], "best_tandem_reuse_ms": $0.bestMs[2]] as [String: Any]
        },
        "elementwise": [
            "count": elementCount,
            "kernels": bandwidth.map {
                ["name": $0.name, "bytes": $0.bytes, "seconds": $0.seconds, "gb_per_s": $0.gigabytesPerSecond,
                 "ratio_to_memcpy": $0.gigabytesPerSecond / memcpyRate, "best_seconds": $0.bestSeconds,
                 "best_ratio_to_memcpy": $0.bestGigabytesPerSecond / bestMemcpyRate] as [String: Any]
            },
        ] as [String: Any],
    ]
    do {
        let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)  // temp file + rename
        print("\nwrote \(path)")
    } catch {
        Options.fail("cannot write \(path): \(error)")
    }
}
if sink.isNaN { print("") }  // reads the sink so the timed work is never dead code
