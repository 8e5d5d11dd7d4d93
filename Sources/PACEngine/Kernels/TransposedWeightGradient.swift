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
/// every image into its own buffer (or, for three input channels, the output channels); the
/// sums of an entry stay on one thread, in image order. Images with more than `GEMM.kc`
/// positions are summed in `kc` blocks, as GEMM does.
enum TransposedWeightGradient {
    static let mr = GEMMMicroKernel.mr
    static let nr = GEMMMicroKernel.nr

    /// `dw [O, K] = Σ over groups of Σ over the group's images i of dy_i [O, P] · cols_iᵀ`, the
    /// first group's sum overwriting `dw`, with `dy_i` at `dy + i * O * P` and image `i` at
    /// `x + i * g.imageSize`.
    static func multiply(dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, geometry g: Conv2dGeometry, outChannels o: Int,
                         groups: [Range<Int>], packedLimit: Int, into dw: UnsafeMutablePointer<Float>, threads: Int) {
        guard let images = groups.last?.upperBound, images > 0 else { return }
        let k = g.columnRows, positions = g.columnCount, taps = g.kernelHeight * g.kernelWidth
        let plane = g.height * g.width
        let panels = (o + nr - 1) / nr, panelSize = positions * nr, imagePanels = panels * panelSize
        // dYᵢ as B panels (32 output channels per depth step), for a chunk of whole groups of at
        // most `packedLimit` floats (or one group) at a time.
        let chunks = ImageBatchSchedule.chunked(groups, most: Swift.max(1, packedLimit / imagePanels))
        let largest = chunks.map { $0.last!.upperBound - $0.first!.lowerBound }.max()!
        let packedSize = largest * imagePanels, transposedSize = k * o
        let packed = BufferPool.shared.take(packedSize), transposed = BufferPool.shared.take(transposedSize)
        defer {
            BufferPool.shared.recycle(packed, count: packedSize)
            BufferPool.shared.recycle(transposed, count: transposedSize)
        }
        let shared = UncheckedSendable((dy: dy, x: x, packed: packed, transposed: transposed, dw: dw))
        let work = o * k * images * positions
        let workers = work >= GEMM.parallelThreshold ? Swift.max(1, Swift.min(threads, 8, Swift.max(g.channels, panels))) : 1
        // Threads split the input channels, or, with too few of them to share evenly (an RGB
        // stem), the panels of output channels, each thread then lowering every channel.
        let splitPanels = g.channels < 4 * workers && panels >= workers
        // The units threads claim: blocks of input channels (about four per thread, so a thread
        // that starts late takes fewer), or single panels of output channels.
        let unitCount = splitPanels ? panels : Swift.min(g.channels, 4 * workers)
        let unitChannels = splitPanels ? g.channels : (g.channels + unitCount - 1) / unitCount
        func geometry(channels: Int) -> Conv2dGeometry {
            Conv2dGeometry(channels: channels, height: g.height, width: g.width, kernelHeight: g.kernelHeight,
                           kernelWidth: g.kernelWidth, stride: g.stride, padding: g.padding)
        }
        // Buffers for the largest unit (whether `PanelConvolution` lowers depends on the
        // geometry's stride and widths, not on its channels).
        let fastLowering = !g.isPointwise && PanelConvolution.lowers(g)
        let columnsSize = g.isPointwise ? 0 : unitChannels * taps * positions
        let paddedSize = fastLowering ? PanelConvolution.paddedSize(geometry(channels: unitChannels)) : 0
        let deep = positions > GEMM.kc
        let scratchSize = deep || groups.contains { $0.count > 1 } ? unitChannels * taps * o : 0
        for (chunkIndex, chunk) in chunks.enumerated() {
            let firstImage = chunk.first!.lowerBound
            ParallelRanges.forEach(items: chunk.last!.upperBound - firstImage, scalarsPerItem: o * positions, threads: threads) { range in
                let (dy, _, packed, _, _) = shared.value
                for i in range {
                    for j in 0..<panels {
                        TransposePack.panel(dy + (firstImage + i) * o * positions + j * nr * positions, ld: positions, kc: positions,
                                            width: Swift.min(nr, o - j * nr), into: packed + i * imagePanels + j * panelSize, nr: nr)
                    }
                }
            }
            WorkerPool.shared.perform(workers: workers, units: unitCount) { _, units in
                let (_, x, packed, transposed, _) = shared.value
                let columns = BufferPool.shared.take(columnsSize)
                let padded = BufferPool.shared.take(paddedSize)
                let scratch = BufferPool.shared.take(scratchSize)
                defer {
                    BufferPool.shared.recycle(columns, count: columnsSize)
                    BufferPool.shared.recycle(padded, count: paddedSize)
                    BufferPool.shared.recycle(scratch, count: scratchSize)
                }
                withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { edgeBuffer in
                    let edge = edgeBuffer.baseAddress!
                    for unit in units {
                        let channels = splitPanels ? 0..<g.channels : (unit * g.channels / unitCount)..<((unit + 1) * g.channels / unitCount)
                        let mine = splitPanels ? unit..<(unit + 1) : 0..<panels
                        let rows = channels.count * taps
                        let part = geometry(channels: channels.count)
                        let total = transposed + channels.lowerBound * taps * o
                        // A group's partial sum: its images' products chained onto one another,
                        // block by block, as the per-image GEMMs accumulate into it, then added
                        // onto the total. An image alone in its group adds straight onto the
                        // total when it is one block deep (`acc + total` either way); deeper,
                        // its blocks must first be summed apart.
                        var first = chunkIndex == 0
                        for group in chunk {
                            let single = group.count == 1 && !deep
                            let target = single ? total : scratch
                            for (index, i) in group.enumerated() {
                                let image = x + i * g.imageSize + channels.lowerBound * plane
                                let a: UnsafePointer<Float>
                                if g.isPointwise {
                                    a = image
                                } else {
                                    if fastLowering {
                                        PanelConvolution.lower(image, geometry: part, padded: padded, into: columns)
                                    } else {
                                        Im2Col.im2col(image, geometry: part, into: columns)
                                    }
                                    a = UnsafePointer(columns)
                                }
                                // GEMM's depth blocks: the image's first overwrites its target (or
                                // is added to it), the others are added.
                                var pc = 0
                                while pc < positions {
                                    let kcb = Swift.min(GEMM.kc, positions - pc)
                                    let beta: Float = pc == 0 && (single ? first : index == 0) ? 0 : 1
                                    var r = 0
                                    while r < rows {
                                        for j in mine {
                                            GEMMMicroKernel.run(kc: kcb, a: a + r * positions + pc, rowStrideA: positions, depthStrideA: 1,
                                                                b: packed + (i - firstImage) * imagePanels + j * panelSize + pc * nr,
                                                                depthStrideB: nr,
                                                                c: target + r * o + j * nr, ldc: o, rows: Swift.min(mr, rows - r),
                                                                columns: Swift.min(nr, o - j * nr), alpha: 1, beta: beta, edge: edge)
                                        }
                                        r += mr
                                    }
                                    pc += kcb
                                }
                            }
                            if !single {
                                for r in 0..<rows {
                                    for e in (mine.lowerBound * nr)..<Swift.min(o, mine.upperBound * nr) {
                                        total[r * o + e] = first ? scratch[r * o + e] : total[r * o + e] + scratch[r * o + e]
                                    }
                                }
                            }
                            first = false
                        }
                    }
                }
            }
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
