/// Batch normalization of `[N, C, ...]` inputs over every axis but the channel axis 1 (N, H, W
/// for NCHW images; N alone for `[N, C]`), as PyTorch's `F.batch_norm`:
///
///     y = (x - mean[c]) / sqrt(var[c] + epsilon) * gamma[c] + beta[c]
///
/// Both ops are fused: the forward pass is one affine map per channel of the centered input,
/// `y = (x - pivot) * scale + shift` with `scale = gamma / sqrt(var + epsilon)` (the pivot is the
/// mean rounded to `Float`, so `x - pivot` is exact for values near the mean and large offsets
/// cost no accuracy), and the pullback computes `dx`, `dgamma` and `dbeta` from two per-channel
/// reductions and one elementwise pass. Per-channel sums are accumulated in `SIMD16<Float>` along
/// each contiguous `(n, c)` row and in `Double` across rows; batch statistics use a shifted first
/// pass and a corrected second pass, so they stay accurate when |mean| >> std.
extension Variable {
    /// Batch normalization with fixed statistics (evaluation mode, or frozen statistics): `mean`
    /// and `variance` (`[C]`) are constants; gradients flow to `x`, `gamma` and `beta` (`[C]`).
    public static func batchNorm(_ x: Variable, gamma: Variable, beta: Variable,
                                 mean: Tensor, variance: Tensor, epsilon: Float) -> Variable {
        let layout = BatchNormLayout(x.value, gamma: gamma.value, beta: beta.value, op: "batchNorm")
        let channels = layout.channels
        precondition(mean.shape == [channels] && variance.shape == [channels],
                     "batchNorm: mean \(mean.shape) and variance \(variance.shape) for \(channels) channels")
        let meanValues = mean.scalars, varianceValues = variance.scalars
        let gammaValues = gamma.value.scalars, betaValues = beta.value.scalars
        var invStd = [Float](repeating: 0, count: channels), scale = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            invStd[c] = 1 / (varianceValues[c] + epsilon).squareRoot()
            scale[c] = gammaValues[c] * invStd[c]
        }
        let xValue = x.value
        let y = layout.affine(xValue, pivot: meanValues, scale: scale, shift: betaValues)
        return Variable.record(y, inputs: [x, gamma, beta]) {
            [requiresX = x.requiresGrad, requiresGamma = gamma.requiresGrad, requiresBeta = beta.requiresGrad] g in
            let zeros = [Float](repeating: 0, count: channels)
            let dx: Tensor? = requiresX ? layout.affine(g, pivot: zeros, scale: scale, shift: zeros) : nil
            guard requiresGamma || requiresBeta else { return [dx, nil, nil] }
            let (sumG, sumGCentered) = layout.gradientSums(g, x: xValue, pivot: meanValues)
            let dgamma = Tensor(shape: [channels], generating: { Float(sumGCentered[$0] * Double(invStd[$0])) })
            let dbeta = Tensor(shape: [channels], generating: { Float(sumG[$0]) })
            return [dx, requiresGamma ? dgamma : nil, requiresBeta ? dbeta : nil]
        }
    }

    /// Batch normalization with the statistics of the batch itself (training mode): each channel
    /// is normalized with its mean and *biased* variance over N and the spatial axes (divided by
    /// `m = N * H * W`, as PyTorch normalizes). The pullback differentiates through those
    /// statistics:
    ///
    ///     dx = gamma * invstd * (g - mean(g) - xhat * mean(g * xhat)),  xhat = (x - mean) * invstd
    ///     dgamma = sum(g * xhat),  dbeta = sum(g)
    ///
    /// - Returns: the output and the batch statistics (`[C]`, no gradients), from which callers
    ///   update running statistics (PyTorch uses the unbiased variance, `m / (m - 1)` times the
    ///   biased one, for that).
    public static func batchNormTraining(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float)
        -> (output: Variable, batchMean: Tensor, batchVariance: Tensor) {
        let layout = BatchNormLayout(x.value, gamma: gamma.value, beta: beta.value, op: "batchNormTraining")
        let channels = layout.channels
        let xValue = x.value
        let statistics = layout.statistics(xValue)
        let mean = statistics.mean, variance = statistics.variance, pivot = statistics.pivot
        let gammaValues = gamma.value.scalars
        let (invStd, scale, shift) = layout.normalization(mean: mean, variance: variance, pivot: pivot, gamma: gammaValues,
                                                          beta: beta.value.scalars, epsilon: epsilon)
        let y = layout.affine(xValue, pivot: pivot, scale: scale, shift: shift)
        let m = Double(layout.reducedCount)
        let output = Variable.record(y, inputs: [x, gamma, beta]) {
            [requiresX = x.requiresGrad, requiresGamma = gamma.requiresGrad, requiresBeta = beta.requiresGrad] g in
            let (sumG, sumAboutPivot) = layout.gradientSums(g, x: xValue, pivot: pivot)
            // sum(g * (x - mean)) = sum(g * (x - pivot)) + (pivot - mean) * sum(g).
            let sumGCentered = (0..<channels).map { sumAboutPivot[$0] + (Double(pivot[$0]) - mean[$0]) * sumG[$0] }
            let dx = requiresX ? layout.trainingInputGradient(g, x: xValue, pivot: pivot, mean: mean, invStd: invStd, gamma: gammaValues,
                                                              scale: scale, sumG: sumG, sumGCentered: sumGCentered, count: m) : nil
            let dgamma: Tensor? = requiresGamma
                ? Tensor(shape: [channels], generating: { Float(sumGCentered[$0] * invStd[$0]) }) : nil
            let dbeta: Tensor? = requiresBeta ? Tensor(shape: [channels], generating: { Float(sumG[$0]) }) : nil
            return [dx, dgamma, dbeta]
        }
        return (output, Tensor(mean.map { Float($0) }), Tensor(variance.map { Float($0) }))
    }
}

/// The `[N, C, inner]` view of a batch-normalization input and the fused per-channel kernels.
struct BatchNormLayout: Sendable {
    let batch: Int
    let channels: Int
    /// Elements per `(n, c)` row: the product of the spatial extents (1 for `[N, C]`).
    let inner: Int

    init(_ x: Tensor, gamma: Tensor, beta: Tensor, op: String) {
        precondition(x.rank >= 2, "\(op): input must be [N, C, ...], got \(x.shape)")
        batch = x.shape[0]
        channels = x.shape[1]
        inner = x.shape.dropFirst(2).reduce(1, *)
        precondition(gamma.shape == [channels] && beta.shape == [channels],
                     "\(op): gamma \(gamma.shape) and beta \(beta.shape) for input \(x.shape) with \(channels) channels")
        precondition(batch * inner > 0, "\(op): no values to normalize in input \(x.shape)")
    }

    /// Values per channel, `N * H * W`.
    var reducedCount: Int { batch * inner }

    typealias V = SIMD16<Float>

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    /// `sum(p[0..<count] - shift)`.
    @inline(__always)
    private static func shiftedSum(_ p: UnsafePointer<Float>, _ count: Int, shift: Float) -> Float {
        var a0 = V(), a1 = V()
        let k = V(repeating: shift)
        var i = 0
        while i + 32 <= count {
            a0 += load(p + i) - k
            a1 += load(p + i + 16) - k
            i += 32
        }
        if i + 16 <= count { a0 += load(p + i) - k; i += 16 }
        var total = (a0 + a1).sum()
        while i < count { total += p[i] - shift; i += 1 }
        return total
    }

    /// `(sum(p[i] - pivot), sum((p[i] - pivot)^2))`.
    @inline(__always)
    private static func deviations(_ p: UnsafePointer<Float>, _ count: Int, from pivot: Float) -> (Float, Float) {
        var s0 = V(), s1 = V(), q0 = V(), q1 = V()
        let m = V(repeating: pivot)
        var i = 0
        while i + 32 <= count {
            let d0 = load(p + i) - m, d1 = load(p + i + 16) - m
            s0 += d0
            s1 += d1
            q0.addProduct(d0, d0)
            q1.addProduct(d1, d1)
            i += 32
        }
        if i + 16 <= count { let d = load(p + i) - m; s0 += d; q0.addProduct(d, d); i += 16 }
        var sum = (s0 + s1).sum(), squares = (q0 + q1).sum()
        while i < count { let d = p[i] - pivot; sum += d; squares += d * d; i += 1 }
        return (sum, squares)
    }

    /// `(sum(g), sum(g * (x - pivot)))`.
    @inline(__always)
    private static func gradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int,
                                     pivot: Float) -> (Float, Float) {
        var s0 = V(), s1 = V(), d0 = V(), d1 = V()
        let m = V(repeating: pivot)
        var i = 0
        while i + 32 <= count {
            let g0 = load(g + i), g1 = load(g + i + 16)
            s0 += g0
            s1 += g1
            d0.addProduct(g0, load(x + i) - m)
            d1.addProduct(g1, load(x + i + 16) - m)
            i += 32
        }
        if i + 16 <= count {
            let g0 = load(g + i)
            s0 += g0
            d0.addProduct(g0, load(x + i) - m)
            i += 16
        }
        var sum = (s0 + s1).sum(), dot = (d0 + d1).sum()
        while i < count { sum += g[i]; dot += g[i] * (x[i] - pivot); i += 1 }
        return (sum, dot)
    }

    /// Per-channel mean and biased variance in `Double`, and the mean rounded to `Float` (the
    /// pivot the kernels center on).
    ///
    /// Pass 1 sums `x - x[0, c, 0]` (shifted data, so a large common offset does not swamp the
    /// `Float` row sums); pass 2 sums `d = x - pivot` and `d^2`, giving the corrected two-pass
    /// estimates `mean = pivot + sum(d) / m` and `var = sum(d^2) / m - (sum(d) / m)^2`. Channels
    /// are independent, so they are spread over threads (a channel's two passes run back to back,
    /// the second one from cache); each channel's sums run over n in order on one thread.
    func statistics(_ x: Tensor) -> (mean: [Double], variance: [Double], pivot: [Float]) {
        var mean = [Double](repeating: 0, count: channels), variance = [Double](repeating: 0, count: channels)
        var pivot = [Float](repeating: 0, count: channels)
        let m = Double(reducedCount)
        let (batch, channels, inner) = (batch, channels, inner)
        x.withUnsafePointer { xp in
            mean.withUnsafeMutableBufferPointer { meanOut in
                variance.withUnsafeMutableBufferPointer { varianceOut in
                    pivot.withUnsafeMutableBufferPointer { pivotOut in
                        ParallelRanges.forEach(items: channels, scalarsPerItem: 2 * batch * inner) { range in
                            for c in range {
                                let shift = xp[c * inner]
                                var sum = 0.0
                                for n in 0..<batch { sum += Double(Self.shiftedSum(xp + (n * channels + c) * inner, inner, shift: shift)) }
                                let center = Float(Double(shift) + sum / m)
                                var deviationSum = 0.0, squares = 0.0
                                for n in 0..<batch {
                                    let (d, q) = Self.deviations(xp + (n * channels + c) * inner, inner, from: center)
                                    deviationSum += Double(d)
                                    squares += Double(q)
                                }
                                let drift = deviationSum / m
                                pivotOut[c] = center
                                meanOut[c] = Double(center) + drift
                                varianceOut[c] = Swift.max(0, squares / m - drift * drift)
                            }
                        }
                    }
                }
            }
        }
        return (mean, variance, pivot)
    }

    /// `(x - pivot[c]) * scale[c] + shift[c]`, one subtraction and one fused multiply-add per element.
    func affine(_ x: Tensor, pivot: [Float], scale: [Float], shift: [Float]) -> Tensor {
        let (channels, inner) = (channels, inner)
        return x.withUnsafePointer { xp in
            Tensor(shape: x.shape) { out in
                ParallelRanges.forEach(items: batch * channels, scalarsPerItem: inner) { rows in
                    for row in rows {
                        let c = row % channels, offset = row * inner
                        let src = xp + offset, dst = out + offset
                        let p = pivot[c], s = scale[c], b = shift[c]
                        for i in 0..<inner { dst[i] = (src[i] - p) * s + b }
                    }
                }
            }
        }
    }

    /// Per-channel `sum(g)` and `sum(g * (x - pivot))`, channels spread over threads.
    func gradientSums(_ g: Tensor, x: Tensor, pivot: [Float]) -> (sumG: [Double], sumGCentered: [Double]) {
        precondition(g.shape == x.shape, "batch norm: gradient \(g.shape) for output \(x.shape)")
        var sumG = [Double](repeating: 0, count: channels), sumGCentered = [Double](repeating: 0, count: channels)
        let (batch, channels, inner) = (batch, channels, inner)
        g.withUnsafePointer { gp in
            x.withUnsafePointer { xp in
                sumG.withUnsafeMutableBufferPointer { sumOut in
                    sumGCentered.withUnsafeMutableBufferPointer { centeredOut in
                        ParallelRanges.forEach(items: channels, scalarsPerItem: 2 * batch * inner) { range in
                            for c in range {
                                var sum = 0.0, centered = 0.0
                                for n in 0..<batch {
                                    let offset = (n * channels + c) * inner
                                    let (s, d) = Self.gradientSums(gp + offset, xp + offset, inner, pivot: pivot[c])
                                    sum += Double(s)
                                    centered += Double(d)
                                }
                                sumOut[c] = sum
                                centeredOut[c] = centered
                            }
                        }
                    }
                }
            }
        }
        return (sumG, sumGCentered)
    }

    /// `gradientScale[c] * g - centeredScale[c] * (x - pivot[c]) - offset[c]`.
    /// The per-channel affine map of training-mode normalization with these statistics:
    /// `invStd = 1 / sqrt(variance + epsilon)`, `scale = gamma * invStd` and the shift that makes
    /// `(x - pivot) * scale + shift` equal `(x - mean) * scale + beta`.
    func normalization(mean: [Double], variance: [Double], pivot: [Float], gamma: [Float], beta: [Float],
                       epsilon: Float) -> (invStd: [Double], scale: [Float], shift: [Float]) {
        var invStd = [Double](repeating: 0, count: channels)
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            invStd[c] = 1 / (variance[c] + Double(epsilon)).squareRoot()
            let s = Double(gamma[c]) * invStd[c]
            scale[c] = Float(s)
            // (x - mean) * s + beta = (x - pivot) * s + beta - (mean - pivot) * s.
            shift[c] = Float(Double(beta[c]) - (mean[c] - Double(pivot[c])) * s)
        }
        return (invStd, scale, shift)
    }

    /// The input gradient of training-mode normalization from the batch's per-channel sums of
    /// `g` and `g * (x - mean)` over `m` values per channel:
    /// `dx = s * (g - mean(g)) - k * (x - mean)`, `s = gamma * invstd`, `k = s * invstd^2 * mean(g * (x - mean))`,
    /// evaluated as `s * g - k * (x - pivot) - offset` with `offset = s * mean(g) + k * (pivot - mean)`.
    func trainingInputGradient(_ g: Tensor, x: Tensor, pivot: [Float], mean: [Double], invStd: [Double], gamma: [Float],
                               scale: [Float], sumG: [Double], sumGCentered: [Double], count m: Double) -> Tensor {
        var centeredScale = [Float](repeating: 0, count: channels), offset = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            let s = Double(gamma[c]) * invStd[c]
            let k = s * invStd[c] * invStd[c] * sumGCentered[c] / m
            centeredScale[c] = Float(k)
            offset[c] = Float(s * sumG[c] / m + k * (Double(pivot[c]) - mean[c]))
        }
        return trainingInputGradient(g, x: x, pivot: pivot, gradientScale: scale, centeredScale: centeredScale, offset: offset)
    }

    func trainingInputGradient(_ g: Tensor, x: Tensor, pivot: [Float], gradientScale: [Float],
                               centeredScale: [Float], offset: [Float]) -> Tensor {
        let (channels, inner) = (channels, inner)
        return g.withUnsafePointer { gp in
            x.withUnsafePointer { xp in
                Tensor(shape: x.shape) { out in
                    ParallelRanges.forEach(items: batch * channels, scalarsPerItem: 2 * inner) { rows in
                        for row in rows {
                            let c = row % channels, base = row * inner
                            let gr = gp + base, xr = xp + base, dst = out + base
                            let a = gradientScale[c], k = centeredScale[c], p = pivot[c], b = offset[c]
                            for i in 0..<inner { dst[i] = a * gr[i] - k * (xr[i] - p) - b }
                        }
                    }
                }
            }
        }
    }
}
