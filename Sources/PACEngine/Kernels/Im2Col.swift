/// The geometry of a 2-D sliding window (a convolution or pooling kernel) over one image of an
/// NCHW tensor: `channels` planes of `height x width`, a `kernelHeight x kernelWidth` window moved
/// by `stride` in both directions over the image zero-padded by `padding` on every side.
public struct Conv2dGeometry: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let stride: Int
    public let padding: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Int = 0) {
        precondition(channels > 0 && height > 0 && width > 0, "Conv2dGeometry: empty image \(channels)x\(height)x\(width)")
        precondition(kernelHeight > 0 && kernelWidth > 0, "Conv2dGeometry: kernel \(kernelHeight)x\(kernelWidth)")
        precondition(stride > 0 && padding >= 0, "Conv2dGeometry: stride \(stride), padding \(padding)")
        precondition(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                     "Conv2dGeometry: kernel \(kernelHeight)x\(kernelWidth) larger than padded image \(height + 2 * padding)x\(width + 2 * padding)")
        self.channels = channels
        self.height = height
        self.width = width
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// `(height + 2 * padding - kernelHeight) / stride + 1`.
    public var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    /// `(width + 2 * padding - kernelWidth) / stride + 1`.
    public var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the column matrix: `channels * kernelHeight * kernelWidth`, ordered (c, ki, kj).
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: one per output position, `outputHeight * outputWidth`.
    public var columnCount: Int { outputHeight * outputWidth }
    /// Scalars in one input image, `channels * height * width`.
    public var imageSize: Int { channels * height * width }

    /// True when the column matrix *is* the image (1x1 kernel, stride 1, no padding).
    public var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

    /// Output columns `ow` whose input column `ow * stride - padding + kj` lies inside the image.
    @inline(__always)
    func validOutputColumns(kj: Int) -> Range<Int> {
        Self.validOutputs(tap: kj, extent: width, outputs: outputWidth, stride: stride, padding: padding)
    }

    /// Output rows `oh` whose input row `oh * stride - padding + ki` lies inside the image.
    @inline(__always)
    func validOutputRows(ki: Int) -> Range<Int> {
        Self.validOutputs(tap: ki, extent: height, outputs: outputHeight, stride: stride, padding: padding)
    }

    /// True when every tap's column matrix row is the input plane shifted by a constant offset
    /// (stride 1 and output width equal to the input width, e.g. a 3x3 kernel with padding 1):
    /// im2col and col2im then move whole row ranges at once instead of one output row at a time.
    var isShiftedPlane: Bool { stride == 1 && outputWidth == width }

    @inline(__always)
    private static func validOutputs(tap: Int, extent: Int, outputs: Int, stride: Int, padding: Int) -> Range<Int> {
        let first = padding - tap <= 0 ? 0 : (padding - tap + stride - 1) / stride
        let last = extent - 1 + padding - tap
        let end = last < 0 ? 0 : Swift.min(outputs, last / stride + 1)
        return first < end ? first..<end : 0..<0
    }
}

/// The im2col / col2im transforms that turn a convolution of one NCHW image into a matrix product.
///
/// The column matrix of an image is `[channels * kh * kw, outputHeight * outputWidth]`, row-major,
/// with row `(c * kh + ki) * kw + kj` and column `oh * outputWidth + ow` holding the input pixel
/// `x[c, oh * stride - padding + ki, ow * stride - padding + kj]` (0 in the padding). With a
/// PyTorch-layout weight `[O, C, kh, kw]` viewed as `[O, C * kh * kw]`, the convolution of the
/// image is `weight · columns`, an `[O, outputHeight * outputWidth]` matrix: the image's output
/// slice in NCHW.
public enum Im2Col {
    /// Writes the column matrix of one image (`geometry.imageSize` scalars, CHW) into `columns`
    /// (`geometry.columnRows * geometry.columnCount` scalars, every one overwritten).
    public static func im2col(_ image: UnsafePointer<Float>, geometry g: Conv2dGeometry, into columns: UnsafeMutablePointer<Float>) {
        im2col(image, geometry: g, outputRows: 0..<g.outputHeight, into: columns)
    }

    /// The columns of the output rows `outputRows` only: a `[columnRows, outputRows.count *
    /// outputWidth]` matrix (every entry overwritten), the column matrix's column block for those
    /// output positions. Lets a caller lower an image in cache-sized pieces.
    ///
    /// With `ld`, consecutive rows of the column matrix start `ld` scalars apart (`ld >=
    /// outputRows.count * outputWidth`; the scalars between rows are left alone), so the columns of
    /// several images can be written side by side into one wider matrix.
    public static func im2col(_ image: UnsafePointer<Float>, geometry g: Conv2dGeometry, outputRows rows: Range<Int>,
                              into columns: UnsafeMutablePointer<Float>, ld: Int? = nil) {
        let wo = g.outputWidth, s = g.stride, p = g.padding
        let plane = g.height * g.width, length = rows.count * wo
        let rowStride = ld ?? length
        precondition(rowStride >= length, "im2col: row stride \(rowStride) below the row length \(length)")
        if wo <= 8 && rows == 0..<g.outputHeight {
            gatherSmall(image, geometry: g, into: columns, ld: rowStride)
            return
        }
        var row = columns
        for c in 0..<g.channels {
            let source = image + c * plane
            for ki in 0..<g.kernelHeight {
                let inside = g.validOutputRows(ki: ki).clamped(to: rows)
                for kj in 0..<g.kernelWidth {
                    let valid = g.validOutputColumns(kj: kj)
                    if inside.isEmpty || valid.isEmpty {
                        SIMDAccess.zero(row, count: length)
                        row += rowStride
                        continue
                    }
                    let top = (inside.lowerBound - rows.lowerBound) * wo, bottom = (inside.upperBound - rows.lowerBound) * wo
                    SIMDAccess.zero(row, count: top)
                    SIMDAccess.zero(row + bottom, count: length - bottom)
                    if g.isShiftedPlane {
                        // One copy of the shifted rows; the entries that wrapped around a row edge
                        // (read from the neighbouring row) are then zeroed.
                        let first = inside.lowerBound - p + ki, shift = kj - p
                        let count = inside.count * wo - valid.lowerBound - (wo - valid.upperBound)
                        SIMDAccess.copy(source + first * g.width + valid.lowerBound + shift, to: row + top + valid.lowerBound, count: count)
                        Self.zeroEdges(row + top, rows: inside.count, width: wo, keep: valid)
                    } else {
                        let offset = valid.lowerBound * s - p + kj
                        for oh in inside {
                            let out = row + (oh - rows.lowerBound) * wo
                            let line = source + (oh * s - p + ki) * g.width
                            SIMDAccess.zero(out, count: valid.lowerBound)
                            let dst = out + valid.lowerBound
                            if s == 1 {
                                SIMDAccess.copy(line + offset, to: dst, count: valid.count)
                            } else if s == 2 {
                                gatherEvery2nd(line, width: g.width, from: offset, count: valid.count, into: dst)
                            } else {
                                for j in 0..<valid.count { dst[j] = line[offset + j * s] }
                            }
                            SIMDAccess.zero(out + valid.upperBound, count: wo - valid.upperBound)
                        }
                    }
                    row += rowStride
                }
            }
        }
    }

    /// `im2col` of a whole image with a small output plane (ResNet's deep stages: 8 x 8 down to
    /// 2 x 2), where the per-row work of the general path (ranges, edge zeroing, library copies of a
    /// few floats) costs more than the copies: each channel is copied once into a zero-bordered
    /// plane, and every row of the column matrix is then gathered through one table of offsets
    /// per kernel tap. The same values as the general path (padding entries are +0 in both).
    private static func gatherSmall(_ image: UnsafePointer<Float>, geometry g: Conv2dGeometry,
                                    into columns: UnsafeMutablePointer<Float>, ld: Int) {
        let wo = g.outputWidth, ho = g.outputHeight, positions = ho * wo, s = g.stride, p = g.padding
        let paddedWidth = g.width + 2 * p, paddedSize = (g.height + 2 * p) * paddedWidth
        let taps = g.kernelHeight * g.kernelWidth
        withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedSize) { paddedBuffer in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: taps * positions) { tableBuffer in
                let padded = paddedBuffer.baseAddress!, table = tableBuffer.baseAddress!
                padded.update(repeating: 0, count: paddedSize)
                for ki in 0..<g.kernelHeight {
                    for kj in 0..<g.kernelWidth {
                        let entry = table + (ki * g.kernelWidth + kj) * positions
                        for oh in 0..<ho {
                            for ow in 0..<wo { entry[oh * wo + ow] = Int32((oh * s + ki) * paddedWidth + ow * s + kj) }
                        }
                    }
                }
                var row = columns
                for c in 0..<g.channels {
                    let source = image + c * g.height * g.width
                    for i in 0..<g.height {
                        SIMDAccess.copy(source + i * g.width, to: padded + (i + p) * paddedWidth + p, count: g.width)
                    }
                    for t in 0..<taps {
                        let entry = table + t * positions
                        for q in 0..<positions { row[q] = padded[Int(entry[q])] }
                        row += ld
                    }
                }
            }
        }
    }

    /// `dst[j] = line[first + 2 * j]` for `j < count`, reading only inside `line[0..<width]`:
    /// vector loads of twice the output with the even (or, one float earlier, the odd) lanes
    /// kept, then scalars for the rest.
    @inline(__always)
    private static func gatherEvery2nd(_ line: UnsafePointer<Float>, width: Int, from first: Int, count: Int,
                                       into dst: UnsafeMutablePointer<Float>) {
        var j = 0
        while j + 16 <= count {
            let at = first + 2 * j
            let pair: SIMD32<Float>, even: Bool
            if at + 32 <= width {
                (pair, even) = (SIMD32(lowHalf: SIMDAccess.load(line + at), highHalf: SIMDAccess.load(line + at + 16)), true)
            } else if at >= 1 {
                (pair, even) = (SIMD32(lowHalf: SIMDAccess.load(line + at - 1), highHalf: SIMDAccess.load(line + at + 15)), false)
            } else {
                break
            }
            SIMDAccess.store(even ? pair.evenHalf : pair.oddHalf, dst + j)
            j += 16
        }
        while j + 8 <= count {
            let at = first + 2 * j
            let pair: SIMD16<Float>, even: Bool
            if at + 16 <= width {
                (pair, even) = (SIMDAccess.load(line + at), true)
            } else if at >= 1 {
                (pair, even) = (SIMDAccess.load(line + at - 1), false)
            } else {
                break
            }
            UnsafeMutableRawPointer(dst + j).storeBytes(of: even ? pair.evenHalf : pair.oddHalf, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count { dst[j] = line[first + 2 * j]; j += 1 }
    }

    /// Zeroes the columns outside `keep` in each of `rows` rows of `width` scalars.
    @inline(__always)
    private static func zeroEdges(_ matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int, keep: Range<Int>) {
        guard keep.lowerBound > 0 || keep.upperBound < width else { return }
        for r in 0..<rows {
            let line = matrix + r * width
            for j in 0..<keep.lowerBound { line[j] = 0 }
            for j in keep.upperBound..<width { line[j] = 0 }
        }
    }

    /// The adjoint of `im2col`: adds every entry of the column matrix onto the image pixel it was
    /// read from (padding entries are dropped). `image` is accumulated into, not overwritten.
    /// With `ld`, consecutive rows of the column matrix start `ld` scalars apart (one image's
    /// block of a wider matrix holding several images' columns side by side).
    public static func col2im(_ columns: UnsafePointer<Float>, geometry g: Conv2dGeometry, addingInto image: UnsafeMutablePointer<Float>,
                              ld: Int? = nil) {
        let ho = g.outputHeight, wo = g.outputWidth, s = g.stride, p = g.padding
        let plane = g.height * g.width
        let rowStride = ld ?? ho * wo
        precondition(rowStride >= ho * wo, "col2im: row stride \(rowStride) below the row length \(ho * wo)")
        var row = columns
        for c in 0..<g.channels {
            let target = image + c * plane
            for ki in 0..<g.kernelHeight {
                let inside = g.validOutputRows(ki: ki)
                for kj in 0..<g.kernelWidth {
                    let valid = g.validOutputColumns(kj: kj)
                    if !valid.isEmpty {
                        for oh in inside {
                            let src = row + oh * wo + valid.lowerBound
                            let dst = target + (oh * s - p + ki) * g.width + valid.lowerBound * s - p + kj
                            if s == 1 {
                                for j in 0..<valid.count { dst[j] += src[j] }
                            } else {
                                for j in 0..<valid.count { dst[j * s] += src[j] }
                            }
                        }
                    }
                    row += rowStride
                }
            }
        }
    }
}

/// How a per-image batch computation (convolution forward and backward) is spread over threads.
///
/// Images are split into a fixed number of contiguous *groups* that depends only on the batch
/// size, never on the thread count; each group is processed by one worker in image order and
/// per-group partial sums are combined in group order, so results are bit-identical for any
/// number of threads. With at least as many images as threads, each worker takes whole images
/// with single-threaded GEMMs (its lowering too runs in parallel); fewer images with products
/// large enough for GEMM's own threading run one after another with threaded GEMMs instead. (A
/// ResNet-18 stem on 32 images ran its im2col on one thread while the other waited, when images
/// went one after another whenever one image's product was large.)
struct ImageBatchSchedule {
    /// Upper bound on groups (and so on the per-group partial sums a reduction keeps).
    static let maxGroups = 32
    /// Batches with less total work than this (multiply-adds) stay on the calling thread.
    static let parallelThreshold = 1 << 20

    let images: Int
    let groups: Int
    let workers: Int
    /// The `threads` argument for GEMM calls inside a worker.
    let gemmThreads: Int

    /// - Parameters:
    ///   - images: the batch size.
    ///   - workPerImage: multiply-adds of one image's largest GEMM.
    ///   - threads: the most threads the computation may use.
    init(images: Int, workPerImage: Int, threads: Int) {
        self.images = images
        groups = Swift.max(1, Swift.min(images, Self.maxGroups))
        let threads = Swift.max(1, threads)
        let gemmParallel = (workPerImage >= GEMM.parallelThreshold && images < threads) || Engine.gemmBackend == .blas
        if gemmParallel || threads == 1 || images * workPerImage < Self.parallelThreshold {
            workers = 1
            gemmThreads = threads
        } else {
            workers = Swift.min(threads, 8, groups)
            gemmThreads = 1
        }
    }

    /// `groups` (consecutive image ranges) cut into runs of consecutive whole groups of at most
    /// `most` images, or one larger group: the chunks a batched kernel packs at a time.
    static func chunked(_ groups: [Range<Int>], most: Int) -> [ArraySlice<Range<Int>>] {
        var chunks: [ArraySlice<Range<Int>>] = []
        var start = 0
        while start < groups.count {
            var end = start + 1
            while end < groups.count && groups[end].upperBound - groups[start].lowerBound <= most { end += 1 }
            chunks.append(groups[start..<end])
            start = end
        }
        return chunks
    }

    /// The images of `group`.
    func images(ofGroup group: Int) -> Range<Int> {
        (group * images / groups)..<((group + 1) * images / groups)
    }

    /// Calls `body(worker, groups)` once per worker, concurrently; the workers claim the groups
    /// one at a time (`WorkerPool.perform(workers:units:)`).
    func run(_ body: @Sendable (_ worker: Int, _ groups: ClaimedUnits) -> Void) {
        WorkerPool.shared.perform(workers: workers, units: groups, body)
    }
}

/// `C = A · Bᵀ` (or `C += A · Bᵀ`) for row-major `A` `[m, depth]` and `B` `[n, depth]` whose rows are
/// long: a convolution's weight gradient `dYᵢ · colsᵢᵀ`, where `depth` is the number of output
/// positions. Both operands are read in place along their contiguous rows, as 4 x 4 tiles of dot
/// products held in sixteen SIMD accumulators, so nothing is packed or transposed. With only a
/// few output channels, GEMM's transposed packing of the large `B` costs more than the product
/// itself; this kernel runs about twice as fast there. Short rows favour GEMM (the horizontal sums
/// dominate), so callers pick by `depth` (see `preferred(depth:)`). Deterministic: each entry is
/// summed in one fixed order.
enum RowDotProduct {
    typealias V = SIMD16<Float>

    /// Whether this kernel beats `GEMM` (transposed B) for rows of `depth` scalars.
    static func preferred(depth: Int) -> Bool { depth >= 256 }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> V { SIMDAccess.load(p) }

    /// Adjacent lanes of `x` and then of `y` added pairwise: `[x0 + x1, ..., x14 + x15, y0 + y1,
    /// ..., y14 + y15]`. Four levels of it reduce sixteen accumulators to one vector of their
    /// sums (two permutes and an add per level step, instead of a horizontal sum per accumulator).
    @inline(__always)
    private static func pairSums(_ x: V, _ y: V) -> V {
        let joined = SIMD32<Float>(lowHalf: x, highHalf: y)
        return joined.evenHalf + joined.oddHalf
    }

    /// `C[i, j] = Σₚ A[i, p] · B[j, p]`, added onto `C` when `accumulate` is true. Every entry's
    /// sum: 16 lane-wise fused multiply-add chains over `p` in steps of 16, their lanes added by a
    /// pairwise tree (four levels of `pairSums`), then the last `depth % 16` products one by one
    /// (tested bit for bit); the tile shape does not enter it.
    static func multiply(m: Int, n: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        guard m > 0, n > 0 else { return }
        let vectorDepth = depth / 16 * 16
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { sums in
            var j0 = 0
            while j0 < n {
                // Rows past the edge repeat the last row; their results are discarded.
                let b0 = b + j0 * ldb, b1 = b + Swift.min(j0 + 1, n - 1) * ldb
                let b2 = b + Swift.min(j0 + 2, n - 1) * ldb, b3 = b + Swift.min(j0 + 3, n - 1) * ldb
                var i0 = 0
                while i0 < m {
                    let a0 = a + i0 * lda, a1 = a + Swift.min(i0 + 1, m - 1) * lda
                    let a2 = a + Swift.min(i0 + 2, m - 1) * lda, a3 = a + Swift.min(i0 + 3, m - 1) * lda
                    var c00 = V(), c01 = V(), c02 = V(), c03 = V()
                    var c10 = V(), c11 = V(), c12 = V(), c13 = V()
                    var c20 = V(), c21 = V(), c22 = V(), c23 = V()
                    var c30 = V(), c31 = V(), c32 = V(), c33 = V()
                    var p = 0
                    while p < vectorDepth {
                        let x0 = load(b0 + p), x1 = load(b1 + p), x2 = load(b2 + p), x3 = load(b3 + p)
                        var y = load(a0 + p)
                        c00.addProduct(y, x0); c01.addProduct(y, x1); c02.addProduct(y, x2); c03.addProduct(y, x3)
                        y = load(a1 + p)
                        c10.addProduct(y, x0); c11.addProduct(y, x1); c12.addProduct(y, x2); c13.addProduct(y, x3)
                        y = load(a2 + p)
                        c20.addProduct(y, x0); c21.addProduct(y, x1); c22.addProduct(y, x2); c23.addProduct(y, x3)
                        y = load(a3 + p)
                        c30.addProduct(y, x0); c31.addProduct(y, x1); c32.addProduct(y, x2); c33.addProduct(y, x3)
                        p += 16
                    }
                    // Lane r * 4 + s of the reduction is the sum of c_rs.
                    let h0 = pairSums(pairSums(c00, c01), pairSums(c02, c03)), h1 = pairSums(pairSums(c10, c11), pairSums(c12, c13))
                    let h2 = pairSums(pairSums(c20, c21), pairSums(c22, c23)), h3 = pairSums(pairSums(c30, c31), pairSums(c32, c33))
                    SIMDAccess.store(pairSums(pairSums(h0, h1), pairSums(h2, h3)), sums.baseAddress!)
                    for r in 0..<Swift.min(4, m - i0) {
                        let rowA = a + (i0 + r) * lda
                        for s in 0..<Swift.min(4, n - j0) {
                            var total = sums[r * 4 + s]
                            let rowB = b + (j0 + s) * ldb
                            for q in vectorDepth..<depth { total += rowA[q] * rowB[q] }
                            let out = c + (i0 + r) * ldc + j0 + s
                            out.pointee = accumulate ? out.pointee + total : total
                        }
                    }
                    i0 += 4
                }
                j0 += 4
            }
        }
    }
}
