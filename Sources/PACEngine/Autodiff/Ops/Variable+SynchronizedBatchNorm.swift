/// Batch normalization over a batch split between processes (PyTorch's `SyncBatchNorm`): each
/// holds some of the rows, and `reduce` sums per-channel statistics over all of them (an
/// allreduce), so every process normalizes with the statistics of the whole batch.
extension Variable {
    /// `batchNormTraining` with the whole batch's statistics: `reduce` replaces its argument by
    /// the elementwise sum over every process holding part of the batch (each calls it the same
    /// number of times, in the same order: twice forward, once backward).
    ///
    /// Forward: the value count and per-channel sums give the mean, rounded to the pivot; sums of
    /// `x - pivot` and its square give the mean's drift and the biased variance. Backward: the
    /// per-channel sums of `g` and `g * (x - pivot)` over the whole batch give `dx` as in
    /// `batchNormTraining`; `dgamma` and `dbeta` are this part's own sums, so that summing the
    /// parameter gradients over the processes (as data-parallel training does) gives the batch's.
    ///
    /// - Returns: the output, the batch statistics (`[C]`) and the number of values per channel
    ///   in the whole batch (for the running statistics' unbiasing).
    public static func batchNormTrainingSynchronized(_ x: Variable, gamma: Variable, beta: Variable, epsilon: Float,
                                                     reduce: @escaping (inout [Double]) -> Void)
        -> (output: Variable, batchMean: Tensor, batchVariance: Tensor, count: Int) {
        let layout = BatchNormLayout(x.value, gamma: gamma.value, beta: beta.value, op: "batchNormTrainingSynchronized")
        let (channels, inner, batch) = (layout.channels, layout.inner, layout.batch)
        let xValue = x.value
        // Pass 1: the count and the sums.
        var first = [Double](repeating: 0, count: 1 + channels)
        first[0] = Double(layout.reducedCount)
        xValue.withUnsafePointer { xp in
            for n in 0..<batch {
                for c in 0..<channels {
                    let row = xp + (n * channels + c) * inner
                    var sum = 0.0
                    for i in 0..<inner { sum += Double(row[i]) }
                    first[1 + c] += sum
                }
            }
        }
        reduce(&first)
        let m = first[0]
        let pivot = (0..<channels).map { Float(first[1 + $0] / m) }
        // Pass 2: deviations from the pivot.
        var second = [Double](repeating: 0, count: 2 * channels)
        xValue.withUnsafePointer { xp in
            for n in 0..<batch {
                for c in 0..<channels {
                    let row = xp + (n * channels + c) * inner
                    var deviation = 0.0, squares = 0.0
                    for i in 0..<inner {
                        let d = Double(row[i] - pivot[c])
                        deviation += d
                        squares += d * d
                    }
                    second[c] += deviation
                    second[channels + c] += squares
                }
            }
        }
        reduce(&second)
        let mean = (0..<channels).map { Double(pivot[$0]) + second[$0] / m }
        let variance = (0..<channels).map { c in Swift.max(0, second[channels + c] / m - (second[c] / m) * (second[c] / m)) }
        let gammaValues = gamma.value.scalars
        let (invStd, scale, shift) = layout.normalization(mean: mean, variance: variance, pivot: pivot, gamma: gammaValues,
                                                          beta: beta.value.scalars, epsilon: epsilon)
        let y = layout.affine(xValue, pivot: pivot, scale: scale, shift: shift)
        let output = Variable.record(y, inputs: [x, gamma, beta]) {
            [requiresX = x.requiresGrad, requiresGamma = gamma.requiresGrad, requiresBeta = beta.requiresGrad] g in
            let (localSumG, localAboutPivot) = layout.gradientSums(g, x: xValue, pivot: pivot)
            var sums = localSumG + localAboutPivot
            reduce(&sums)
            let centered = { (sumG: [Double], about: [Double]) in
                (0..<channels).map { about[$0] + (Double(pivot[$0]) - mean[$0]) * sumG[$0] }
            }
            let sumG = Array(sums[..<channels]), sumGCentered = centered(sumG, Array(sums[channels...]))
            let dx = requiresX ? layout.trainingInputGradient(g, x: xValue, pivot: pivot, mean: mean, invStd: invStd, gamma: gammaValues,
                                                              scale: scale, sumG: sumG, sumGCentered: sumGCentered, count: m) : nil
            let localCentered = centered(localSumG, localAboutPivot)
            let dgamma: Tensor? = requiresGamma
                ? Tensor(shape: [channels], generating: { Float(localCentered[$0] * invStd[$0]) }) : nil
            let dbeta: Tensor? = requiresBeta ? Tensor(shape: [channels], generating: { Float(localSumG[$0]) }) : nil
            return [dx, dgamma, dbeta]
        }
        return (output, Tensor(mean.map { Float($0) }), Tensor(variance.map { Float($0) }), Int(m))
    }
}
