import CGSL
import Foundation

/// The global random generator: GSL's Mersenne Twister (`gsl_rng_mt19937`).
///
/// Every initialiser, dropout mask and shuffle draws from it, so `manualSeed` makes a whole run
/// repeatable. Calls are serialised by a lock, so it is safe to use from several threads.
public final class Generator {
    private let rng: UnsafeMutablePointer<gsl_rng>
    private let lock = NSLock()

    /// A generator seeded with `seed`.
    public init(seed: UInt64 = 0) {
        rng = gsl_rng_alloc(gsl_rng_mt19937)
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    deinit { gsl_rng_free(rng) }

    /// The process-wide generator behind `manualSeed`.
    public static let global = Generator(seed: 0)

    /// Restarts the sequence from `seed`.
    public func seed(_ seed: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed))
    }

    /// `count` values uniform in [low, high).
    public func uniform(count: Int, low: Float = 0, high: Float = 1) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        let span = Double(high) - Double(low)
        return (0..<count).map { _ in Float(Double(low) + span * gsl_rng_uniform(rng)) }
    }

    /// `count` values from a normal distribution.
    public func normal(count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        return (0..<count).map { _ in mean + Float(gsl_ran_gaussian_ziggurat(rng, Double(std))) }
    }

    /// A uniformly random permutation of 0..<n.
    public func permutation(_ n: Int) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        var values = Array(0..<n)
        values.withUnsafeMutableBufferPointer { buffer in
            if n > 1 { gsl_ran_shuffle(rng, buffer.baseAddress, n, MemoryLayout<Int>.stride) }
        }
        return values
    }

    /// Fills `count` floats with 1/(1-p) with probability 1-p, else 0 (an inverted-dropout mask).
    func fillBernoulliMask(_ out: UnsafeMutablePointer<Float>, count: Int, p: Float) {
        lock.lock()
        defer { lock.unlock() }
        let keep = 1 - Double(p)
        let scale = p < 1 ? 1 / Float(keep) : 0
        for i in 0..<count { out[i] = gsl_rng_uniform(rng) < keep ? scale : 0 }
    }
}

/// Seeds the global generator, which every initialiser, dropout mask and shuffler draws from
/// (`torch.manual_seed`).
public func manualSeed(_ seed: UInt64) {
    Generator.global.seed(seed)
}
