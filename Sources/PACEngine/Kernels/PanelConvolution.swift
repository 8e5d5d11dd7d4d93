/// The forward convolution of a batch with the column matrix written straight into the GEMM
/// micro-kernel's B panels: an implicit GEMM, for convolutions of stride 1 or 2 whose output rows
/// tile a 32-column panel evenly (output width 2, 4, 8, 16 or 32: a ResNet's layers on 32 x 32 to
/// 2 x 2 planes, and the ImageNet stem on 64 x 64 images).
///
/// The lowered path writes each image's `[K, P]` columns with im2col and then GEMM copies them
/// again into `kc x 32` panels; here one pass copies them from a zero-padded copy of the images
/// into panels that hold all `K` depth steps of 32 columns (the batch's positions side by side),
/// and each 32 columns of one padded input row segment is a few vector moves (for stride 2, the
/// even lanes of twice as many). The weight is
/// packed once as GEMM's 12-row A panels, and `GEMMPackedMicroKernel` multiplies them by each
/// panel one `kc` depth block at a time, with GEMM's `beta` sequence (the bias, or nothing, then
/// `acc + C` per block): the same sums in the same order as the lowered path, bit for bit
/// (tested). Threads take contiguous runs of panels, each packing its own; with fewer columns
/// than output channels (a 2 x 2 stage: 128 columns, 512 channels) they take the weight's rows
/// instead, as each thread streaming the whole weight ran 1.6x slower.
enum PanelConvolution {
    static let nr = GEMMPackedMicroKernel.nr
    static let mr = GEMMPackedMicroKernel.mr
    /// Floats of packed panels a thread fills before multiplying them (1 MB).
    static let panelScalars = 1 << 18

    /// Whether `pack` can fill panels for `g`: stride 1 or 2, output rows tiling a panel evenly.
    private static func packs(_ g: Conv2dGeometry) -> Bool {
        g.stride <= 2 && g.outputWidth > 1 && nr % g.outputWidth == 0
    }

    /// Whether `forward` handles `g`.
    static func applies(_ g: Conv2dGeometry) -> Bool {
        // (One output column would be a matrix-vector product in the lowered path, summed in
        // another order; pairs of stride-2 floats for outputs 2 wide are scalar moves, slower than
        // the lowered path's gather.)
        packs(g) && (g.stride == 1 || g.outputWidth >= 4) && g.columnRows > 1
    }

    /// `y [n, o, Ho, Wo] = conv(x [n, C, H, W], weight [o, C, kh, kw]) (+ bias)`. With
    /// `flipped`, `weight` is stored `[C, o, kh, kw]` and used flipped in both spatial axes with
    /// its channel axes swapped (`Convolution.flippedTranspose`, the input gradient's weight),
    /// which the packing reads in place instead of a permuted copy.
    static func forward(_ x: UnsafePointer<Float>, images n: Int, weight: UnsafePointer<Float>, flipped: Bool = false,
                        outChannels o: Int, bias: [Float]?,
                        geometry g: Conv2dGeometry, into y: UnsafeMutablePointer<Float>, threads: Int) {
        let k = g.columnRows, positions = g.columnCount, wo = g.outputWidth
        let paddedWidth = g.width + 2 * g.padding, paddedImage = paddedImageSize(g)
        let columns = n * positions, panels = (columns + nr - 1) / nr
        let weightPanels = (o + mr - 1) / mr, packedWeightSize = weightPanels * mr * k
        // A stride-2 panel reads pairs of floats, one past its last: the copy leaves room for it.
        let usePadded = g.padding > 0 || g.stride > 1
        let paddedSize = usePadded ? n * paddedImage + slack : 0
        let packedWeight = BufferPool.shared.take(packedWeightSize), padded = BufferPool.shared.take(paddedSize)
        defer {
            BufferPool.shared.recycle(packedWeight, count: packedWeightSize)
            BufferPool.shared.recycle(padded, count: paddedSize)
        }
        let shared = UncheckedSendable((x: x, y: y, packedWeight: packedWeight, padded: padded))
        let sharedWeight = UncheckedSendable(weight)
        ParallelRanges.forEach(items: weightPanels, scalarsPerItem: mr * k, threads: threads) { range in
            let operands = GEMM.Operands(transposeA: false, transposeB: false, a: sharedWeight.value, lda: k, b: sharedWeight.value, ldb: 0)
            for panel in range {
                let target = shared.value.packedWeight + panel * mr * k, rows = Swift.min(mr, o - panel * mr)
                if flipped {
                    packFlipped(sharedWeight.value, inChannels: g.channels, outChannels: o, taps: g.kernelHeight * g.kernelWidth,
                                firstRow: panel * mr, rows: rows, into: target)
                } else {
                    GEMM.packA(operands, i0: panel * mr, mc: rows, k0: 0, kc: k, into: target)
                }
            }
        }
        if usePadded {
            (padded + n * paddedImage).update(repeating: 0, count: slack)
            ParallelRanges.forEach(items: n, scalarsPerItem: paddedImage, threads: threads) { range in
                let (x, _, _, padded) = shared.value
                for i in range { pad(x + i * g.imageSize, geometry: g, into: padded + i * paddedImage) }
            }
        }
        let source = usePadded ? UnsafePointer(padded) : x
        let panelsPerRun = Swift.max(1, panelScalars / (k * nr))
        let work = o * k * columns
        let splitRows = columns < o
        let workers = work >= GEMM.parallelThreshold ? Swift.max(1, Swift.min(threads, 8, splitRows ? weightPanels : panels)) : 1
        // Panels within one image (positions a multiple of 32) are written straight into y;
        // otherwise a run's products go through a buffer and are scattered.
        let direct = positions % nr == 0
        // Stride 1 onto rows of 16 or 32: a panel's 32 values for a depth step are two 16-float
        // segments of the padded input, read in place at that step's offset (no packing).
        let gathered = g.stride == 1 && (wo == 16 || wo == 32) && direct
        let offsetCount = gathered ? k : 0
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, offsetCount))
        defer { offsets.deallocate() }
        if gathered {
            var depth = 0
            for c in 0..<g.channels {
                for ki in 0..<g.kernelHeight {
                    for kj in 0..<g.kernelWidth {
                        offsets[depth] = c * (paddedImage / g.channels) + ki * paddedWidth + kj
                        depth += 1
                    }
                }
            }
        }
        let sharedOffsets = UncheckedSendable(UnsafePointer(offsets))
        let sharedSource = UncheckedSendable(source)
        // The units threads claim: runs of column panels, or, with fewer columns than weight
        // rows, one share of the weight's 12-row panels per thread (each then packing every
        // column panel).
        let unitCount = splitRows ? workers : (panels + panelsPerRun - 1) / panelsPerRun
        WorkerPool.shared.perform(workers: workers, units: unitCount) { _, units in
            let (_, y, packedWeight, _) = shared.value
            let source = sharedSource.value
            let bufferSize = gathered ? 0 : panelsPerRun * nr * k, productSize = direct ? 0 : mr * weightPanels * panelsPerRun * nr
            // Where panel `panel` (the `j`th of its run) writes its first output channel, and the
            // stride between channels: straight into y, or into the run's product buffer.
            func output(_ panel: Int, _ j: Int, _ ldProduct: Int) -> (UnsafeMutablePointer<Float>, Int) {
                direct ? (y + (panel * nr) / positions * o * positions + (panel * nr) % positions, positions)
                       : (product + j * nr, ldProduct)
            }
            let packed = BufferPool.shared.take(bufferSize), product = BufferPool.shared.take(productSize)
            defer {
                BufferPool.shared.recycle(packed, count: bufferSize)
                BufferPool.shared.recycle(product, count: productSize)
            }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr) { edgeBuffer in
                let edge = edgeBuffer.baseAddress!
                for unit in units {
                    let mine = splitRows ? 0..<panels : (unit * panelsPerRun)..<Swift.min(panels, (unit + 1) * panelsPerRun)
                    let rowPanels = splitRows ? (unit * weightPanels / workers)..<((unit + 1) * weightPanels / workers) : 0..<weightPanels
                    let rows = (rowPanels.lowerBound * mr)..<Swift.min(o, rowPanels.upperBound * mr)
                    for first in Swift.stride(from: mine.lowerBound, to: mine.upperBound, by: panelsPerRun) {
                        let run = first..<Swift.min(mine.upperBound, first + panelsPerRun)
                        for (j, panel) in run.enumerated() where !gathered {
                            pack(source, geometry: g, paddedWidth: paddedWidth, paddedImage: paddedImage, columns: columns,
                                 firstColumn: panel * nr, into: packed + j * k * nr)
                        }
                        let ldProduct = run.count * nr
                        // C before the first depth block: the bias (beta 1), or not read (beta 0).
                        if let bias {
                            for (j, panel) in run.enumerated() {
                                let width = Swift.min(nr, columns - panel * nr)
                                let (c, ldc) = output(panel, j, ldProduct)
                                for oc in rows { (c + oc * ldc).update(repeating: bias[oc], count: width) }
                            }
                        }
                        var pc = 0
                        while pc < k {
                            let kcb = Swift.min(GEMM.kc, k - pc)
                            let beta: Float = pc == 0 && bias == nil ? 0 : 1
                            for (j, panel) in run.enumerated() {
                                let width = Swift.min(nr, columns - panel * nr)
                                let (c, ldc) = output(panel, j, ldProduct)
                                if gathered {
                                    // Output rows `row` and `row + 1` (16 wide), or row `row` (32 wide).
                                    let image = panel * nr / positions, row = panel * nr % positions / wo
                                    let first = source + image * paddedImage + row * paddedWidth
                                    let second = wo == 16 ? first + paddedWidth : first + 16
                                    for ir in rowPanels {
                                        GEMMPackedMicroKernel.run(kc: kcb, a: packedWeight + ir * mr * k + pc * mr,
                                                                  first: first, second: second, offsets: sharedOffsets.value + pc,
                                                                  c: c + ir * mr * ldc, ldc: ldc, rows: Swift.min(mr, o - ir * mr),
                                                                  alpha: 1, beta: beta, edge: edge)
                                    }
                                    continue
                                }
                                for ir in rowPanels {
                                    GEMMPackedMicroKernel.run(kc: kcb, a: packedWeight + ir * mr * k + pc * mr,
                                                              b: packed + j * k * nr + pc * nr, depthStrideB: nr,
                                                              c: c + ir * mr * ldc, ldc: ldc, rows: Swift.min(mr, o - ir * mr),
                                                              columns: width, alpha: 1, beta: beta, edge: edge)
                                }
                            }
                            pc += kcb
                        }
                        if !direct {
                            // Column `col` of the run is position `col % positions` of image `col / positions`.
                            for col in (run.lowerBound * nr)..<Swift.min(columns, run.upperBound * nr) {
                                let image = col / positions, position = col % positions, local = col - run.lowerBound * nr
                                for oc in rows { y[(image * o + oc) * positions + position] = product[oc * ldProduct + local] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Fills one panel: for every depth step `(c, ki, kj)`, the 32 column values starting at
    /// column `firstColumn` of the batch (zero past `columns`). Column `col` is output position
    /// `col % P` of image `col / P`, and `32 / Wo` output row segments make up the panel.
    @inline(__always)
    private static func pack(_ source: UnsafePointer<Float>, geometry g: Conv2dGeometry, paddedWidth: Int, paddedImage: Int,
                             columns: Int, firstColumn: Int, into panel: UnsafeMutablePointer<Float>, ld: Int = nr) {
        let wo = g.outputWidth, positions = g.columnCount, segments = nr / wo
        let paddedPlane = paddedImage / g.channels
        withUnsafeTemporaryAllocation(of: Int.self, capacity: segments) { offsetsBuffer in
            let offsets = offsetsBuffer.baseAddress!
            var valid = 0
            for s in 0..<segments {
                let col = firstColumn + s * wo
                guard col < columns else { break }
                let position = col % positions
                offsets[s] = col / positions * paddedImage + position / wo * g.stride * paddedWidth
                valid += 1
            }
            if valid < segments {
                // The batch's last panel: zero columns past the end.
                for depth in 0..<g.columnRows { SIMDAccess.zero(panel + depth * ld + valid * wo, count: nr - valid * wo) }
            }
            var row = panel
            for c in 0..<g.channels {
                for ki in 0..<g.kernelHeight {
                    for kj in 0..<g.kernelWidth {
                        let tap = source + c * paddedPlane + ki * paddedWidth + kj
                        if g.stride == 1 {
                            switch wo {
                            case 32:
                                SIMDAccess.store(SIMDAccess.load(tap + offsets[0]), row)
                                SIMDAccess.store(SIMDAccess.load(tap + offsets[0] + 16), row + 16)
                            case 16:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s]), row + s * 16) }
                            case 8:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s], as: SIMD8<Float>.self), row + s * 8) }
                            case 4:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s], as: SIMD4<Float>.self), row + s * 4) }
                            default:
                                for s in 0..<valid { for q in 0..<wo { row[s * wo + q] = tap[offsets[s] + q] } }
                            }
                        } else {
                            // Every other float: the even lanes of twice the width.
                            switch wo {
                            case 32:
                                SIMDAccess.store(SIMDAccess.load(tap + offsets[0], as: SIMD32<Float>.self).evenHalf, row)
                                SIMDAccess.store(SIMDAccess.load(tap + offsets[0] + 32, as: SIMD32<Float>.self).evenHalf, row + 16)
                            case 16:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s], as: SIMD32<Float>.self).evenHalf, row + s * 16) }
                            case 8:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s], as: SIMD16<Float>.self).evenHalf, row + s * 8) }
                            case 4:
                                for s in 0..<valid { SIMDAccess.store(SIMDAccess.load(tap + offsets[s], as: SIMD8<Float>.self).evenHalf, row + s * 4) }
                            default:
                                for s in 0..<valid { for q in 0..<wo { row[s * wo + q] = tap[offsets[s] + 2 * q] } }
                            }
                        }
                        row += ld
                    }
                }
            }
        }
    }

    /// Copies one CHW image into a zero-bordered `[C, H + 2p, W + 2p]` plane per channel.
    static func pad(_ image: UnsafePointer<Float>, geometry g: Conv2dGeometry, into target: UnsafeMutablePointer<Float>) {
        let p = g.padding, paddedWidth = g.width + 2 * p, paddedPlane = (g.height + 2 * p) * paddedWidth
        // Each float written once: the border's zeros, then the rows (zeroing the whole copy
        // first wrote the interior twice, a pass as long as the copy).
        for c in 0..<g.channels {
            let plane = target + c * paddedPlane
            plane.update(repeating: 0, count: p * paddedWidth + p)
            for r in 0..<g.height {
                let row = plane + (r + p) * paddedWidth + p
                SIMDAccess.copy(image + (c * g.height + r) * g.width, to: row, count: g.width)
                // The row's right padding and the next row's left padding, adjacent.
                (row + g.width).update(repeating: 0, count: 2 * p)
            }
            // After the last row's right padding (written above): the bottom rows, less the
            // left padding of the row below the last, already zeroed.
            (plane + (g.height + p) * paddedWidth + p).update(repeating: 0, count: p * paddedWidth - p)
        }
    }

    /// Whether `lower` handles `g`: `pack`'s geometries with whole panels per image.
    static func lowers(_ g: Conv2dGeometry) -> Bool {
        packs(g) && g.columnCount % nr == 0
    }

    /// Floats of one zero-padded image (`pad`).
    private static func paddedImageSize(_ g: Conv2dGeometry) -> Int {
        g.channels * (g.height + 2 * g.padding) * (g.width + 2 * g.padding)
    }

    /// Floats a stride-2 panel may read past the last padded image (the second float of its last pair).
    private static let slack = 2 * nr

    /// Floats of the buffer `lower` pads an image into.
    static func paddedSize(_ g: Conv2dGeometry) -> Int { paddedImageSize(g) + slack }

    /// im2col of one image (`[K, P]` row-major, the same values as `Im2Col.im2col`) through a
    /// zero-padded copy in `padded` (`paddedSize(g)` floats) and `pack`'s vector moves, which
    /// for a stride-2 kernel read pairs instead of gathering one float at a time.
    static func lower(_ image: UnsafePointer<Float>, geometry g: Conv2dGeometry, padded: UnsafeMutablePointer<Float>,
                      into columns: UnsafeMutablePointer<Float>) {
        let paddedWidth = g.width + 2 * g.padding, paddedImage = paddedImageSize(g)
        pad(image, geometry: g, into: padded)
        (padded + paddedImage).update(repeating: 0, count: slack)
        let positions = g.columnCount
        for panel in 0..<(positions / nr) {
            pack(padded, geometry: g, paddedWidth: paddedWidth, paddedImage: paddedImage, columns: positions,
                 firstColumn: panel * nr, into: columns + panel * nr, ld: positions)
        }
    }

    /// One 12-row A panel (entry `(r, p)` at `panel[p * 12 + r]`) of the flipped, channel-swapped
    /// weight: row `r` is output channel `firstRow + r` of the convolution (a channel of the
    /// stored weight's second axis), depth `p = (c, t)` reads `weight[c, firstRow + r, taps - 1 - t]`.
    private static func packFlipped(_ weight: UnsafePointer<Float>, inChannels: Int, outChannels: Int, taps: Int,
                                    firstRow: Int, rows: Int, into panel: UnsafeMutablePointer<Float>) {
        var out = panel
        for c in 0..<inChannels {
            let block = weight + (c * outChannels + firstRow) * taps
            for t in 0..<taps {
                let tap = block + taps - 1 - t
                for r in 0..<rows { out[r] = tap[r * taps] }
                for r in rows..<mr { out[r] = 0 }
                out += mr
            }
        }
    }
}
