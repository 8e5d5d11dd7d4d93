/// 2-D pooling over NCHW tensors.
extension Variable {
    /// Max pooling of `[N, C, H, W]` over `kernel x kernel` windows moved by `stride` (default:
    /// `kernel`, as in PyTorch), the image padded by `padding` (at most `kernel / 2`) with values
    /// that never win. Returns `[N, C, Ho, Wo]`, `Ho = (H + 2 * padding - kernel) / stride + 1`.
    ///
    /// The gradient of each output goes to the input position that produced it: the first maximum
    /// of its window in row-major scan order (a NaN wins, as in PyTorch). Overlapping windows
    /// accumulate.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Variable {
        let stride = stride ?? kernel
        let (n, c, g) = Pooling.geometry(shape, kernel: kernel, stride: stride, padding: padding, name: "maxPool2d")
        precondition(padding <= kernel / 2, "maxPool2d: padding \(padding) must be at most half the kernel \(kernel)")
        let planes = n * c, plane = g.height * g.width, outPlane = g.columnCount
        if !Variable.recordsGraph([self]) {
            // Inference: the values alone, as no gradient will need the winners.
            let y = value.withUnsafePointer { xp in
                Tensor(shape: [n, c, g.outputHeight, g.outputWidth]) { out in
                    ParallelRanges.forEach(items: planes, scalarsPerItem: plane) { range in
                        Pooling.maxValues(xp, planes: range, geometry: g, into: out)
                    }
                }
            }
            return Variable(y)
        }
        var winners = [Int32](repeating: 0, count: planes * outPlane)
        let y = value.withUnsafePointer { xp in
            winners.withUnsafeMutableBufferPointer { argmax in
                Tensor(shape: [n, c, g.outputHeight, g.outputWidth]) { out in
                    ParallelRanges.forEach(items: planes, scalarsPerItem: plane) { range in
                        for q in range {
                            Pooling.maxPlane(xp + q * plane, geometry: g, into: out + q * outPlane, argmax: argmax.baseAddress! + q * outPlane)
                        }
                    }
                }
            }
        }
        let inputShape = shape
        return Variable.record(y, inputs: [self]) { [winners] gradient in
            var dx = Tensor(zeros: inputShape)
            dx.withUnsafeMutablePointer { d in
                gradient.withUnsafePointer { gp in
                    ParallelRanges.forEach(items: planes, scalarsPerItem: plane) { range in
                        for q in range {
                            let dPlane = d + q * plane, gPlane = gp + q * outPlane
                            for j in 0..<outPlane { dPlane[Int(winners[q * outPlane + j])] += gPlane[j] }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Average pooling of `[N, C, H, W]` over `kernel x kernel` windows moved by `stride`
    /// (default: `kernel`), without padding: each output is the mean of its `kernel²` inputs.
    /// Returns `[N, C, Ho, Wo]`, `Ho = (H - kernel) / stride + 1`.
    public func avgPool2d(kernel: Int, stride: Int? = nil) -> Variable {
        let stride = stride ?? kernel
        let (n, c, g) = Pooling.geometry(shape, kernel: kernel, stride: stride, padding: 0, name: "avgPool2d")
        let planes = n * c, plane = g.height * g.width, outPlane = g.columnCount
        let ho = g.outputHeight, wo = g.outputWidth
        let scale = 1 / Float(kernel * kernel)
        let y = value.withUnsafePointer { xp in
            Tensor(shape: [n, c, ho, wo]) { out in
                for q in 0..<planes {
                    let src = xp + q * plane, dst = out + q * outPlane
                    for oh in 0..<ho {
                        for ow in 0..<wo {
                            var total: Float = 0
                            for ki in 0..<kernel {
                                let row = src + (oh * stride + ki) * g.width + ow * stride
                                for kj in 0..<kernel { total += row[kj] }
                            }
                            dst[oh * wo + ow] = total * scale
                        }
                    }
                }
            }
        }
        let inputShape = shape
        return Variable.record(y, inputs: [self]) { gradient in
            var dx = Tensor(zeros: inputShape)
            dx.withUnsafeMutablePointer { d in
                gradient.withUnsafePointer { gp in
                    for q in 0..<planes {
                        let dPlane = d + q * plane, gPlane = gp + q * outPlane
                        for oh in 0..<ho {
                            for ow in 0..<wo {
                                let share = gPlane[oh * wo + ow] * scale
                                for ki in 0..<kernel {
                                    let row = dPlane + (oh * stride + ki) * g.width + ow * stride
                                    for kj in 0..<kernel { row[kj] += share }
                                }
                            }
                        }
                    }
                }
            }
            return [dx]
        }
    }

    /// Global average pooling: `[N, C, H, W]` to `[N, C]`, the mean of each channel's plane.
    public func globalAveragePool() -> Variable {
        precondition(value.rank == 4, "globalAveragePool: input must be NCHW [N, C, H, W], got \(shape)")
        let n = shape[0], c = shape[1], plane = shape[2] * shape[3]
        precondition(plane > 0, "globalAveragePool: empty planes in \(shape)")
        let scale = 1 / Float(plane)
        let y = value.withUnsafePointer { xp in
            Tensor(shape: [n, c]) { out in
                for q in 0..<(n * c) { out[q] = Convolution.rowSum(xp + q * plane, count: plane) * scale }
            }
        }
        let inputShape = shape
        return Variable.record(y, inputs: [self]) { gradient in
            let dx = Tensor(shape: inputShape) { d in
                gradient.withUnsafePointer { gp in
                    for q in 0..<(n * c) { (d + q * plane).update(repeating: gp[q] * scale, count: plane) }
                }
            }
            return [dx]
        }
    }
}

/// Pooling kernels (NCHW).
enum Pooling {
    /// Validates an NCHW input and returns N, C and the per-plane window geometry.
    static func geometry(_ shape: [Int], kernel: Int, stride: Int, padding: Int, name: String) -> (Int, Int, Conv2dGeometry) {
        precondition(shape.count == 4, "\(name): input must be NCHW [N, C, H, W], got \(shape)")
        precondition(kernel > 0 && stride > 0 && padding >= 0, "\(name): kernel \(kernel), stride \(stride), padding \(padding)")
        let g = Conv2dGeometry(channels: 1, height: shape[2], width: shape[3],
                               kernelHeight: kernel, kernelWidth: kernel, stride: stride, padding: padding)
        return (shape[0], shape[1], g)
    }

    /// Max pooling of one `height x width` plane; `argmax` receives each winner's index in the plane.
    static func maxPlane(_ src: UnsafePointer<Float>, geometry g: Conv2dGeometry,
                         into dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        // The NaN rule costs a second comparison per element, so it only runs on planes with NaN.
        if mayContainNaN(src, count: g.height * g.width) {
            maxWindows(src, geometry: g, into: dst, argmax: argmax, nanWins: true)
        } else {
            maxWindows(src, geometry: g, into: dst, argmax: argmax, nanWins: false)
        }
    }

    /// Max pooling of `planes` of `src` into the same planes of `dst`, the values only, the same
    /// as `maxPlane`'s (signed zeros included). Each input row's window maxima come first (16
    /// outputs at a time for strides 1 and 2, the padding as -infinity), then the maxima of those
    /// down each window's rows. Taking rows first still finds the first maximum in row-major scan
    /// order: the first row holding the window's maximum is the first whose own maximum equals
    /// it. A padding -infinity that comes first changes no value: any other value replaces it,
    /// and one that does not is -infinity too. Planes with NaN take `maxPlane`.
    static func maxValues(_ src: UnsafePointer<Float>, planes: Range<Int>, geometry g: Conv2dGeometry,
                          into dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let ho = g.outputHeight, wo = g.outputWidth, s = g.stride, p = g.padding, k = g.kernelWidth
        let plane = g.height * g.width, outPlane = ho * wo
        let lanes = (wo + 15) / 16 * 16
        // A padded input row, long enough for every lane's window and a 32-float load past it.
        let paddedCount = (lanes - 1) * s + k + 32
        let capacity = paddedCount + g.height * lanes + lanes
        withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { buffer in
            let padded = buffer.baseAddress!, rowMaxima = padded + paddedCount, column = rowMaxima + g.height * lanes
            padded.initialize(repeating: -.infinity, count: paddedCount)
            for q in planes {
                let image = src + q * plane, out = dst + q * outPlane
                if mayContainNaN(image, count: plane) {
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: outPlane) { winners in
                        maxPlane(image, geometry: g, into: out, argmax: winners.baseAddress!)
                    }
                    continue
                }
                for ih in 0..<g.height {
                    (padded + p).update(from: image + ih * g.width, count: g.width)
                    let maxima = rowMaxima + ih * lanes
                    for first in Swift.stride(from: 0, to: lanes, by: 16) {
                        let start = padded + first * s
                        @inline(__always) func tap(_ kj: Int) -> V {
                            switch s {
                            case 1: return SIMDAccess.load(start + kj)
                            case 2: return SIMDAccess.load(start + kj, as: SIMD32<Float>.self).evenHalf
                            default:
                                var v = V()
                                for lane in 0..<16 { v[lane] = start[lane * s + kj] }
                                return v
                            }
                        }
                        var best = tap(0)
                        for kj in 1..<k {
                            let v = tap(kj)
                            best.replace(with: v, where: v .> best)
                        }
                        SIMDAccess.store(best, maxima + first)
                    }
                }
                for oh in 0..<ho {
                    let top = Swift.max(0, oh * s - p), bottom = Swift.min(g.height, oh * s - p + g.kernelHeight)
                    for first in Swift.stride(from: 0, to: lanes, by: 16) {
                        var best: V = SIMDAccess.load(rowMaxima + top * lanes + first)
                        for ih in (top + 1)..<bottom {
                            let v: V = SIMDAccess.load(rowMaxima + ih * lanes + first)
                            best.replace(with: v, where: v .> best)
                        }
                        SIMDAccess.store(best, column + first)
                    }
                    (out + oh * wo).update(from: column, count: wo)
                }
            }
        }
    }

    /// False only if all `count` scalars are finite (infinities also answer true).
    static func mayContainNaN(_ p: UnsafePointer<Float>, count: Int) -> Bool {
        typealias V = SIMD16<Float>
        var acc = V()
        var j = 0
        while j + 16 <= count {
            acc += UnsafeRawPointer(p + j).loadUnaligned(as: V.self) * 0
            j += 16
        }
        var total = acc.sum()
        while j < count { total += p[j] * 0; j += 1 }
        return total != 0
    }

    /// The window loop: strictly greater keeps the first of equal values; with `nanWins`, a NaN
    /// beats any number (the first NaN stays). Branch-free selects, as random data would
    /// mispredict every other comparison.
    @inline(__always)
    private static func maxWindows(_ src: UnsafePointer<Float>, geometry g: Conv2dGeometry,
                                   into dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, nanWins: Bool) {
        let ho = g.outputHeight, wo = g.outputWidth, s = g.stride, p = g.padding, k = g.kernelHeight, width = g.width
        for oh in 0..<ho {
            let top = Swift.max(0, oh * s - p), bottom = Swift.min(g.height, oh * s - p + k)
            for ow in 0..<wo {
                let left = Swift.max(0, ow * s - p), right = Swift.min(width, ow * s - p + k)
                var winner = top * width + left
                var best = src[winner]
                var ih = top
                while ih < bottom {
                    var index = ih * width + left
                    let end = ih * width + right
                    while index < end {
                        let v = src[index]
                        let take = nanWins ? v > best || (v != v && best == best) : v > best
                        best = take ? v : best
                        winner = take ? index : winner
                        index += 1
                    }
                    ih += 1
                }
                dst[oh * wo + ow] = best
                argmax[oh * wo + ow] = Int32(truncatingIfNeeded: winner)
            }
        }
    }
}
