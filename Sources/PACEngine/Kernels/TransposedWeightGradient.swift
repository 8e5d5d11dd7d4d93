/// A convolution's weight gradient over a batch computed transposed, `dWᵀ [K, O] = Σᵢ colsᵢ ·
/// dYᵢᵀ`, with exactly the additions of the per-image path (`dW (+)= dYᵢ · colsᵢᵀ`, one GEMM per
/// image into its group's partial, partials summed in group order).
///
/// The per-image GEMM packs each image's `[K, P]` columns into transposed panels, a pass as long
/// as the product's own reads. With the operands swapped the columns are GEMM's A, read in place
/// by `GEMMMicroKernel` straight from im2col's output, and only dYᵢ (`O x P`, a ninth of the
/// columns for a 3 x 3 kernel) is packed. Every entry is still the fused multiply-add chain
/// `Σ_p dy[o, p] * cols[k, p]` over `p` from zero per `kc` block (the product of two floats does
/// not depend on their order), stored `acc + C`, so the result is the per-image path's bit for
/// bit (tested). Threads split the input channels, each lowering only its channels' rows of
/// every image into its own buffer; the sums of an entry stay on one thread, in image order.
enum TransposedWeightGradient {
    static let mr = GEMMMicroKernel.mr
    static let nr = GEMMMicroKernel.nr

    /// `dw [O, K] = Σ over groups of Σ over the group's images i of dy_i [O, P] · cols_iᵀ`, the
    /// first group's sum overwriting `dw`, with `dy_i` at `dy + i * O * P` and image `i` at
    /// `x + i * g.imageSize`.
    static func multiply(dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, geometry g: Conv2dGeometry, outChannels o: Int,
                         groups: [Range<Int>], into dw: UnsafeMutablePointer<Float>, threads: Int) {
        guard let images = groups.last?.upperBound, images > 0 else { return }
        let k = g.columnRows, positions = g.columnCount, taps = g.kernelHeight * g.kernelWidth
        precondition(positions <= GEMM.kc, "TransposedWeightGradient: \(positions) positions, one depth block holds \(GEMM.kc)")
        let plane = g.height * g.width
        let panels = (o + nr - 1) / nr, panelSize = positions * nr, imagePanels = panels * panelSize
        // dYᵢ as B panels: 32 output channels per depth step.
        let packedSize = images * imagePanels, transposedSize = k * o
        let packed = BufferPool.shared.take(packedSize), transposed = BufferPool.shared.take(transposedSize)
        defer {
            BufferPool.shared.recycle(packed, count: packedSize)
            BufferPool.shared.recycle(transposed, count: transposedSize)
        }
        let shared = UncheckedSendable((dy: dy, x: x, packed: packed, transposed: transposed, dw: dw))
        ParallelRanges.forEach(items: images, scalarsPerItem: o * positions, threads: threads) { range in
            let (dy, _, packed, _, _) = shared.value
            for i in range {
                for j in 0..<panels {
                    TransposePack.panel(dy + i * o * positions + j * nr * positions, ld: positions, kc: positions,
                                        width: Swift.min(nr, o - j * nr), into: packed + i * imagePanels + j * panelSize, nr: nr)
                }
            }
        }
        let work = o * k * images * positions
        let workers = work >= GEMM.parallelThreshold ? Swift.max(1, Swift.min(threads, 8, g.channels)) : 1
        let body: @Sendable (Int) -> Void = { w in
            let (_, x, packed, transposed, _) = shared.value
            let channels = (w * g.channels / workers)..<((w + 1) * g.channels / workers)
            let rows = channels.count * taps
            let part = Conv2dGeometry(channels: channels.count, height: g.height, width: g.width, kernelHeight: g.kernelHeight,
                                      kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
            let columnsSize = g.isPointwise ? 0 : rows * positions
            let columns = BufferPool.shared.take(columnsSize)
            let multiImage = groups.contains { $0.count > 1 }
            let scratchSize = multiImage ? rows * o : 0
            let scratch = BufferPool.shared.take(scratchSize)
            defer {
                BufferPool.shared.recycle(columns, count: columnsSize)
                BufferPool.shared.recycle(scratch, count: scratchSize)
            }
            let total = transposed + channels.lowerBound * taps * o
            withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { edgeBuffer in
                let edge = edgeBuffer.baseAddress!
                var first = true
                for group in groups {
                    let single = group.count == 1
                    let target = single ? total : scratch
                    for (index, i) in group.enumerated() {
                        let image = x + i * g.imageSize + channels.lowerBound * plane
                        let a: UnsafePointer<Float>
                        if g.isPointwise {
                            a = image
                        } else {
                            Im2Col.im2col(image, geometry: part, into: columns)
                            a = UnsafePointer(columns)
                        }
                        let beta: Float = (single ? first : index == 0) ? 0 : 1
                        var r = 0
                        while r < rows {
                            for j in 0..<panels {
                                GEMMMicroKernel.run(kc: positions, a: a + r * positions, rowStrideA: positions, depthStrideA: 1,
                                                    b: packed + i * imagePanels + j * panelSize, depthStrideB: nr,
                                                    c: target + r * o + j * nr, ldc: o, rows: Swift.min(mr, rows - r),
                                                    columns: Swift.min(nr, o - j * nr), alpha: 1, beta: beta, edge: edge)
                            }
                            r += mr
                        }
                    }
                    if !single {
                        for e in 0..<(rows * o) { total[e] = first ? scratch[e] : total[e] + scratch[e] }
                    }
                    first = false
                }
            }
        }
        if workers == 1 {
            body(0)
        } else {
            WorkerPool.shared.perform(iterations: workers) { body($0) }
        }
        // dw [O, K] from dWᵀ [K, O].
        ParallelRanges.forEach(items: o, scalarsPerItem: k, threads: threads) { range in
            let (_, _, _, transposed, dw) = shared.value
            for oi in range {
                let row = dw + oi * k
                for e in 0..<k { row[e] = transposed[e * o + oi] }
            }
        }
    }
}
