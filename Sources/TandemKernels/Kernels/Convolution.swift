/// 2-D convolution (cross-correlation, as PyTorch) by im2col + one GEMM per image.
///
/// Each image is unfolded into a small matrix `col` [C·KH·KW, OH·OW] that stays in cache, and the
/// images are shared out among Tandem's workers, each reusing one `col` buffer (and, for the weight
/// gradient, one accumulator): no batch-sized temporary and no layout permutation, because one
/// image's GEMM result [O, OH·OW] already is that image's NCHW block. BLAS runs single-threaded
/// inside each worker (`Parallel`'s threading policy). A 1x1 convolution with stride 1 and no
/// padding needs no unfolding at all: the image itself is `col`.
enum Convolution {
    struct Geometry {
        let batch, channels, height, width: Int
        let outChannels, kernelH, kernelW: Int
        let stride, padding: Int
        var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
        var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
        var patch: Int { channels * kernelH * kernelW }
        var positions: Int { outH * outW }
        var imageSize: Int { channels * height * width }

        init(input x: [Int], weight w: [Int], stride: Int, padding: Int) {
            (batch, channels, height, width) = (x[0], x[1], x[2], x[3])
            (outChannels, kernelH, kernelW) = (w[0], w[2], w[3])
            self.stride = stride
            self.padding = padding
        }

        /// Whether `col` is the image itself (1x1 kernel, stride 1, no padding).
        var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }

        /// Whether the batch is worth sharing among the workers: at least two images and enough
        /// multiply-adds that waking a second thread pays.
        var isParallel: Bool { batch >= 2 && batch * outChannels * patch * positions >= Parallel.threshold * 16 }
    }

    /// Unfolds one image `x` [C, H, W] into `col` [patch, positions].
    static func im2col(_ x: UnsafePointer<Float>, _ g: Geometry, into col: UnsafeMutablePointer<Float>) {
        let positions = g.positions
        for c in 0..<g.channels {
            let plane = x + c * g.height * g.width
            for kh in 0..<g.kernelH {
                for kw in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + kh) * g.kernelW + kw) * positions
                    // Output columns whose input column is inside the image: [owLo, owHi).
                    let owLo = Swift.min(g.outW, Swift.max(0, (g.padding - kw + g.stride - 1) / g.stride))
                    let owHi = Swift.max(owLo, Swift.min(g.outW, (g.width + g.padding - kw + g.stride - 1) / g.stride))
                    for oh in 0..<g.outH {
                        let ih = oh * g.stride - g.padding + kh
                        let line = row + oh * g.outW
                        if ih < 0 || ih >= g.height {
                            line.initialize(repeating: 0, count: g.outW)
                            continue
                        }
                        let src = plane + ih * g.width - g.padding + kw
                        if owLo > 0 { line.initialize(repeating: 0, count: owLo) }
                        if g.stride == 1 {
                            (line + owLo).update(from: src + owLo, count: owHi - owLo)
                        } else {
                            for ow in owLo..<owHi { line[ow] = src[ow * g.stride] }
                        }
                        if owHi < g.outW { (line + owHi).initialize(repeating: 0, count: g.outW - owHi) }
                    }
                }
            }
        }
    }

    /// Adds `col` [patch, positions] back onto one image `dx` [C, H, W].
    static func col2im(_ col: UnsafePointer<Float>, _ g: Geometry, into dx: UnsafeMutablePointer<Float>) {
        let positions = g.positions
        for c in 0..<g.channels {
            let plane = dx + c * g.height * g.width
            for kh in 0..<g.kernelH {
                for kw in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + kh) * g.kernelW + kw) * positions
                    let owLo = Swift.min(g.outW, Swift.max(0, (g.padding - kw + g.stride - 1) / g.stride))
                    let owHi = Swift.max(owLo, Swift.min(g.outW, (g.width + g.padding - kw + g.stride - 1) / g.stride))
                    for oh in 0..<g.outH {
                        let ih = oh * g.stride - g.padding + kh
                        if ih < 0 || ih >= g.height { continue }
                        let dst = plane + ih * g.width - g.padding + kw, line = row + oh * g.outW
                        for ow in owLo..<owHi { dst[ow * g.stride] += line[ow] }
                    }
                }
            }
        }
    }

    /// Shares images `0..<batch` among the workers (or runs them inline), giving each part a
    /// `col` scratch buffer of one image (none for a pointwise convolution).
    private static func forEachImage(
        _ g: Geometry, _ body: (_ part: Int, _ images: Range<Int>, _ col: UnsafeMutablePointer<Float>?) -> Void
    ) {
        let scratch = g.isPointwise ? 0 : g.patch * g.positions
        func run(_ part: Int, _ images: Range<Int>) {
            if scratch == 0 { return body(part, images, nil) }
            let col = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
            defer { col.deallocate() }
            body(part, images, col)
        }
        if g.isParallel {
            Parallel.parts(g.batch) { part, images in run(part, images) }
        } else if g.batch > 0 {
            run(0, 0..<g.batch)
        }
    }

    /// y = conv2d(x, w).
    static func forward(_ x: NDArray, _ w: NDArray, _ g: Geometry, into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), w = w.contiguous()
        let px = UnsafePointer(x.storage.pointer + x.offset), pw = UnsafePointer(w.storage.pointer + w.offset)
        let outImage = g.outChannels * g.positions
        withExtendedLifetime(x) { withExtendedLifetime(w) {
            forEachImage(g) { _, images, col in
                for n in images {
                    let image = px + n * g.imageSize
                    if let col { im2col(image, g, into: col) }
                    Matmul.gemm(
                        .init(pointer: pw, transposed: false, leadingDimension: g.patch, batchStride: 0),
                        .init(pointer: col.map { UnsafePointer($0) } ?? image, transposed: false, leadingDimension: g.positions, batchStride: 0),
                        m: g.outChannels, n: g.positions, k: g.patch, out: out + n * outImage, beta: 0, split: !g.isParallel)
                }
            }
        } }
    }

    /// dx = conv2d_backward_input(gy, w).
    static func backwardInput(_ gy: NDArray, _ w: NDArray, _ g: Geometry, into dx: UnsafeMutablePointer<Float>) {
        let gy = gy.contiguous(), w = w.contiguous()
        let pg = UnsafePointer(gy.storage.pointer + gy.offset), pw = UnsafePointer(w.storage.pointer + w.offset)
        let outImage = g.outChannels * g.positions
        withExtendedLifetime(gy) { withExtendedLifetime(w) {
            forEachImage(g) { _, images, col in
                for n in images {
                    let image = dx + n * g.imageSize
                    Matmul.gemm(
                        .init(pointer: pw, transposed: true, leadingDimension: g.patch, batchStride: 0),
                        .init(pointer: pg + n * outImage, transposed: false, leadingDimension: g.positions, batchStride: 0),
                        m: g.patch, n: g.positions, k: g.outChannels, out: col ?? image, beta: 0, split: !g.isParallel)
                    if let col {
                        image.initialize(repeating: 0, count: g.imageSize)
                        col2im(col, g, into: image)
                    }
                }
            }
        } }
    }

    /// dw = conv2d_backward_weight(x, gy): each worker accumulates its images' products in its own
    /// [O, patch] buffer (the first worker straight into `dw`), then the buffers are added.
    static func backwardWeight(_ x: NDArray, _ gy: NDArray, _ g: Geometry, into dw: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), gy = gy.contiguous()
        let px = UnsafePointer(x.storage.pointer + x.offset), pg = UnsafePointer(gy.storage.pointer + gy.offset)
        let size = g.outChannels * g.patch, outImage = g.outChannels * g.positions
        dw.initialize(repeating: 0, count: size)
        if g.batch == 0 || size == 0 { return }
        let extraCount = g.isParallel ? size * (Parallel.workers - 1) : 0
        let extra = UnsafeMutablePointer<Float>.allocate(capacity: extraCount + 1)
        extra.initialize(repeating: 0, count: extraCount)
        defer { extra.deallocate() }
        withExtendedLifetime(x) { withExtendedLifetime(gy) {
            forEachImage(g) { part, images, col in
                let target = part == 0 ? dw : extra + (part - 1) * size
                for n in images {
                    let image = px + n * g.imageSize
                    if let col { im2col(image, g, into: col) }
                    Matmul.gemm(
                        .init(pointer: pg + n * outImage, transposed: false, leadingDimension: g.positions, batchStride: 0),
                        .init(pointer: col.map { UnsafePointer($0) } ?? image, transposed: true, leadingDimension: g.positions, batchStride: 0),
                        m: g.outChannels, n: g.patch, k: g.positions, out: target, beta: 1, split: !g.isParallel)
                }
            }
        } }
        if g.isParallel {
            for part in 1..<Parallel.workers {
                let partial = extra + (part - 1) * size
                for i in 0..<size { dw[i] += partial[i] }
            }
        }
    }
}
