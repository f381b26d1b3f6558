/// 2-D convolution (cross-correlation, as PyTorch) by im2col + one GEMM per chunk of images.
///
/// Images are unfolded into a matrix `col` of shape [C·KH·KW, images·OH·OW], so a whole chunk of
/// the batch is one large GEMM instead of many small ones (for MNIST's 1-channel 3x3 convolution
/// a per-image GEMM would be 32x9 by 9x676, too small for BLAS to run well).
enum Convolution {
    struct Geometry {
        let batch, channels, height, width: Int
        let outChannels, kernelH, kernelW: Int
        let stride, padding: Int
        var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
        var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
        var patch: Int { channels * kernelH * kernelW }
        var positions: Int { outH * outW }

        init(input x: [Int], weight w: [Int], stride: Int, padding: Int) {
            (batch, channels, height, width) = (x[0], x[1], x[2], x[3])
            (outChannels, kernelH, kernelW) = (w[0], w[2], w[3])
            self.stride = stride
            self.padding = padding
        }

        /// Images per chunk, so that `col` stays under about 32 MiB.
        var chunk: Int { Swift.max(1, Swift.min(batch, (8 << 20) / Swift.max(1, patch * positions))) }
    }

    /// Unfolds images [first, first + count) of dense `x` into `col` [patch, count·positions].
    static func im2col(_ x: UnsafePointer<Float>, _ g: Geometry, first: Int, count: Int, into col: UnsafeMutablePointer<Float>) {
        let columns = count * g.positions
        for c in 0..<g.channels {
            for kh in 0..<g.kernelH {
                for kw in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + kh) * g.kernelW + kw) * columns
                    for img in 0..<count {
                        let plane = x + ((first + img) * g.channels + c) * g.height * g.width
                        let dst = row + img * g.positions
                        for oh in 0..<g.outH {
                            let ih = oh * g.stride - g.padding + kh
                            let line = dst + oh * g.outW
                            if ih < 0 || ih >= g.height {
                                line.initialize(repeating: 0, count: g.outW)
                                continue
                            }
                            let src = plane + ih * g.width
                            for ow in 0..<g.outW {
                                let iw = ow * g.stride - g.padding + kw
                                line[ow] = iw >= 0 && iw < g.width ? src[iw] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds `col` [patch, count·positions] back onto images [first, first + count) of `dx`.
    static func col2im(_ col: UnsafePointer<Float>, _ g: Geometry, first: Int, count: Int, into dx: UnsafeMutablePointer<Float>) {
        let columns = count * g.positions
        for c in 0..<g.channels {
            for kh in 0..<g.kernelH {
                for kw in 0..<g.kernelW {
                    let row = col + ((c * g.kernelH + kh) * g.kernelW + kw) * columns
                    for img in 0..<count {
                        let plane = dx + ((first + img) * g.channels + c) * g.height * g.width
                        let src = row + img * g.positions
                        for oh in 0..<g.outH {
                            let ih = oh * g.stride - g.padding + kh
                            if ih < 0 || ih >= g.height { continue }
                            let dst = plane + ih * g.width
                            for ow in 0..<g.outW {
                                let iw = ow * g.stride - g.padding + kw
                                if iw >= 0 && iw < g.width { dst[iw] += src[oh * g.outW + ow] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Copies between [O, count·positions] (GEMM layout) and [count, O, positions] (NCHW).
    static func permute(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ g: Geometry, count: Int, toNCHW: Bool) {
        for img in 0..<count {
            for o in 0..<g.outChannels {
                let gemmRow = src + (o * count + img) * g.positions
                let nchw = o * g.positions + img * g.outChannels * g.positions
                if toNCHW {
                    (dst + nchw).update(from: gemmRow, count: g.positions)
                } else {
                    (dst + (o * count + img) * g.positions).update(from: src + nchw, count: g.positions)
                }
            }
        }
    }

    /// y = conv2d(x, w).
    static func forward(_ x: NDArray, _ w: NDArray, _ g: Geometry, into out: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), w = w.contiguous()
        let px = UnsafePointer(x.storage.pointer + x.offset), pw = UnsafePointer(w.storage.pointer + w.offset)
        let chunk = g.chunk
        let col = Storage(capacity: g.patch * chunk * g.positions)
        let tmp = Storage(capacity: g.outChannels * chunk * g.positions)
        var first = 0
        while first < g.batch {
            let count = Swift.min(chunk, g.batch - first)
            im2col(px, g, first: first, count: count, into: col.pointer)
            Matmul.gemm(
                .init(pointer: pw, transposed: false, leadingDimension: g.patch, batchStride: 0),
                .init(pointer: col.pointer, transposed: false, leadingDimension: count * g.positions, batchStride: 0),
                m: g.outChannels, n: count * g.positions, k: g.patch, out: tmp.pointer, beta: 0)
            permute(tmp.pointer, out + first * g.outChannels * g.positions, g, count: count, toNCHW: true)
            first += count
        }
    }

    /// dx = conv2d_backward_input(gy, w).
    static func backwardInput(_ gy: NDArray, _ w: NDArray, _ g: Geometry, into dx: UnsafeMutablePointer<Float>) {
        let gy = gy.contiguous(), w = w.contiguous()
        let pg = UnsafePointer(gy.storage.pointer + gy.offset), pw = UnsafePointer(w.storage.pointer + w.offset)
        dx.initialize(repeating: 0, count: g.batch * g.channels * g.height * g.width)
        let chunk = g.chunk
        let col = Storage(capacity: g.patch * chunk * g.positions)
        let gyT = Storage(capacity: g.outChannels * chunk * g.positions)
        var first = 0
        while first < g.batch {
            let count = Swift.min(chunk, g.batch - first)
            permute(pg + first * g.outChannels * g.positions, gyT.pointer, g, count: count, toNCHW: false)
            Matmul.gemm(
                .init(pointer: pw, transposed: true, leadingDimension: g.patch, batchStride: 0),
                .init(pointer: gyT.pointer, transposed: false, leadingDimension: count * g.positions, batchStride: 0),
                m: g.patch, n: count * g.positions, k: g.outChannels, out: col.pointer, beta: 0)
            col2im(col.pointer, g, first: first, count: count, into: dx)
            first += count
        }
    }

    /// dw = conv2d_backward_weight(x, gy).
    static func backwardWeight(_ x: NDArray, _ gy: NDArray, _ g: Geometry, into dw: UnsafeMutablePointer<Float>) {
        let x = x.contiguous(), gy = gy.contiguous()
        let px = UnsafePointer(x.storage.pointer + x.offset), pg = UnsafePointer(gy.storage.pointer + gy.offset)
        let chunk = g.chunk
        let col = Storage(capacity: g.patch * chunk * g.positions)
        let gyT = Storage(capacity: g.outChannels * chunk * g.positions)
        var first = 0
        if g.batch == 0 { dw.initialize(repeating: 0, count: g.outChannels * g.patch) }
        while first < g.batch {
            let count = Swift.min(chunk, g.batch - first)
            im2col(px, g, first: first, count: count, into: col.pointer)
            permute(pg + first * g.outChannels * g.positions, gyT.pointer, g, count: count, toNCHW: false)
            Matmul.gemm(
                .init(pointer: gyT.pointer, transposed: false, leadingDimension: count * g.positions, batchStride: 0),
                .init(pointer: col.pointer, transposed: true, leadingDimension: count * g.positions, batchStride: 0),
                m: g.outChannels, n: g.patch, k: count * g.positions, out: dw, beta: first == 0 ? 0 : 1)
            first += count
        }
    }
}
