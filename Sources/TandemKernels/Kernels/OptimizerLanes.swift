// The per-element formulas of the adaptive optimizers (`OptimizerKernels.adam`, `.rmsprop`),
// written once and run on eight lanes or one.

/// One value or eight: the Adam and RMSprop formulas are written once against this and run on
/// SIMD8 vectors with a scalar tail. (As plain loops they did not auto-vectorise: square roots
/// and divisions through four or five pointers that may alias; 31 instructions per element for
/// Adam.) Both are IEEE operations lane by lane, so a value is the same on either path.
protocol Lane {
    init(broadcast: Float)
    static func load(_ pointer: UnsafePointer<Float>) -> Self
    func store(to pointer: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    func squareRoot() -> Self
    /// `rhs` where `self < rhs`, else `self` (the same rule on both paths, NaN included).
    func atLeast(_ rhs: Self) -> Self
}

extension Float: Lane {
    @inline(__always) init(broadcast: Float) { self = broadcast }
    @inline(__always) static func load(_ pointer: UnsafePointer<Float>) -> Float { pointer.pointee }
    @inline(__always) func store(to pointer: UnsafeMutablePointer<Float>) { pointer.pointee = self }
    @inline(__always) func atLeast(_ rhs: Float) -> Float { self < rhs ? rhs : self }
}

extension SIMD8: Lane where Scalar == Float {
    @inline(__always) init(broadcast: Float) { self.init(repeating: broadcast) }
    @inline(__always) static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }
    @inline(__always) func store(to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: SIMD8<Float>.self)
    }
    @inline(__always) func atLeast(_ rhs: SIMD8<Float>) -> SIMD8<Float> { replacing(with: rhs, where: self .< rhs) }
}

/// An elementwise update of several arrays at one index, on one lane or eight.
protocol LaneUpdate {
    func callAsFunction<L: Lane>(_ i: Int, _: L.Type)
}

/// Runs `update` over `range`: eight elements at a time, then one at a time.
@inline(__always)
func forEachLane<U: LaneUpdate>(_ range: Range<Int>, _ update: U) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        update(i, SIMD8<Float>.self)
        i += 8
    }
    while i < range.upperBound {
        update(i, Float.self)
        i += 1
    }
}

/// torch's `lerp(start, end, weight)` for float: `start + weight * (end - start)` when weight
/// is below 0.5, else `end - (end - start) * (1 - weight)` (the form chosen once, outside loops).
struct Lerp {
    let weight: Float
    let complement: Float
    let fromStart: Bool

    init(weight: Float) {
        self.weight = weight
        complement = 1 - weight
        fromStart = Swift.abs(weight) < 0.5
    }

    @inline(__always) func callAsFunction<L: Lane>(_ start: L, _ end: L) -> L {
        fromStart ? start + L(broadcast: weight) * (end - start) : end - (end - start) * L(broadcast: complement)
    }
}

/// One element (or eight) of ``OptimizerKernels/adam(param:grad:m:v:maxSquare:step:lr:beta1:beta2:eps:weightDecay:decoupledWeightDecay:amsgrad:maximize:)``.
struct AdamUpdate: LaneUpdate {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let maxSquare: UnsafeMutablePointer<Float>?
    let shrink: Float, l2: Float, sign: Float
    let mix: Lerp
    let beta2: Float, stepSize: Float, correction2Root: Float, eps: Float

    @inline(__always) func callAsFunction<L: Lane>(_ i: Int, _: L.Type) {
        // Multiplying by 1 and adding 0 * param are exact, so one formula serves Adam and AdamW.
        let w = L.load(p + i) * L(broadcast: shrink)
        let d = L(broadcast: sign) * L.load(g + i) + L(broadcast: l2) * w
        let mean = mix(L.load(m + i), d)
        mean.store(to: m + i)
        var square = L(broadcast: beta2) * L.load(v + i) + L(broadcast: 1 - beta2) * d * d
        square.store(to: v + i)
        if let maxSquare {
            square = L.load(maxSquare + i).atLeast(square)
            square.store(to: maxSquare + i)
        }
        let denominator = square.squareRoot() / L(broadcast: correction2Root) + L(broadcast: eps)
        (w - L(broadcast: stepSize) * (mean / denominator)).store(to: p + i)
    }
}

/// One element (or eight) of ``OptimizerKernels/rmsprop(param:grad:squareAverage:momentumBuffer:gradAverage:lr:alpha:eps:weightDecay:momentum:maximize:)``.
struct RMSpropUpdate: LaneUpdate {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, squareAverage: UnsafeMutablePointer<Float>
    let momentumBuffer: UnsafeMutablePointer<Float>?, gradAverage: UnsafeMutablePointer<Float>?
    let sign: Float, weightDecay: Float, alpha: Float
    let mix: Lerp
    let eps: Float, momentum: Float, lr: Float

    @inline(__always) func callAsFunction<L: Lane>(_ i: Int, _: L.Type) {
        let w = L.load(p + i)
        let d = L(broadcast: sign) * L.load(g + i) + L(broadcast: weightDecay) * w
        let square = L(broadcast: alpha) * L.load(squareAverage + i) + L(broadcast: 1 - alpha) * d * d
        square.store(to: squareAverage + i)
        var average: L
        if let gradAverage {
            let mean = mix(L.load(gradAverage + i), d)
            mean.store(to: gradAverage + i)
            average = (square - mean * mean).squareRoot()
        } else {
            average = square.squareRoot()
        }
        average = average + L(broadcast: eps)
        if let momentumBuffer {
            let buffer = L(broadcast: momentum) * L.load(momentumBuffer + i) + d / average
            buffer.store(to: momentumBuffer + i)
            (w - L(broadcast: lr) * buffer).store(to: p + i)
        } else {
            (w - L(broadcast: lr) * (d / average)).store(to: p + i)
        }
    }
}
