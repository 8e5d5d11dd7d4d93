#if canImport(Glibc)
import Glibc
#endif

/// Single-precision general matrix multiply: `C = alpha * op(A) * op(B) + beta * C`.
///
/// The algorithm is the classic GotoBLAS layering: B is packed into `kc x NR` column panels (a
/// block of them sized to stay in L2), A into `12 x kc` row panels, and a register-tiled
/// micro-kernel (`GEMMPackedMicroKernel`, 12 x 32, or 6 x 16 tiles without AVX-512's 32 vector
/// registers, see `GEMMMicroKernel.halfTiles`) multiplies one A panel, held in L1, by each
/// B panel in turn. Packing reads either layout, so every transposition variant works without
/// copying the operands; operands small enough to stay in cache (a training step's products)
/// skip packing and are read in place by the 6 x 32 `GEMMMicroKernel`, and matrix-vector
/// products (`n == 1`) take a dot-product path. Large products run on `WorkerPool`'s threads:
/// with at least `sharedRows` rows, the threads pack each B block together and claim blocks of
/// A's rows as they come free (`sharedBlocked`); otherwise each takes a share of the output
/// columns (or rows). Every output element is the same sum in the same order
/// whatever the tile shapes, block sizes or thread count (only `kc` sets the order), so results
/// are bit-identical for any thread count.
public enum GEMM {
    /// Rows of C computed per micro-kernel call.
    public static let mr = GEMMMicroKernel.mr
    /// Columns of C computed per micro-kernel call.
    public static let nr = GEMMMicroKernel.nr
    /// Depth of a packed panel (keeps a `kc x NR` B panel in L1).
    static let kc = 256
    /// Rows of A packed at once (a multiple of the packed kernel's 12 rows).
    static let mc = 96
    /// Columns of B packed at once: a `kc x nc` block filling half of the L2 cache (1024 columns
    /// with 2 MB, 256 with 512 KB), which the micro-kernel streams once per A panel.
    static let nc: Int = {
        var bytes = 1 << 20
        #if canImport(Glibc)
        let l2 = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        if l2 > 0 { bytes = l2 }
        #endif
        return Swift.max(256, Swift.min(4096, bytes / 2 / (kc * 4))) / nr * nr
    }()
    /// Products with fewer multiply-adds than this run on one thread.
    static let parallelThreshold = 1 << 22
    /// With `.automatic`, products with at least this many multiply-adds go to OpenBLAS, when
    /// `PACNET_BLAS` loaded it.
    static let blasThreshold = 1 << 22
    /// Operands of at most this many floats (256 KB) are read in place, not packed.
    static let directLimit = 1 << 16

    /// Computes `C = alpha * op(A) * op(B) + beta * C` on raw row-major buffers.
    ///
    /// - Parameters:
    ///   - transposeA: when false `A` is `m x k` (`A[i, p] = a[i * lda + p]`); when true `A` is
    ///     stored `k x m` and `op(A)[i, p] = a[p * lda + i]`.
    ///   - transposeB: when false `B` is `k x n` (`b[p * ldb + j]`); when true it is stored
    ///     `n x k` (`b[j * ldb + p]`).
    ///   - beta: when 0, `C` is overwritten without being read.
    ///   - threads: the most threads the built-in kernel may use.
    ///   - backend: built-in kernel, system BLAS, or the faster of the two for this size.
    public static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int = Engine.maxThreads, backend: GEMMBackend = Engine.gemmBackend
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 || alpha == 0 {
            scale(c: c, m: m, n: n, ldc: ldc, beta: beta)
            return
        }
        if let blas = SystemBLAS.shared, backend == .blas || (backend == .automatic && blas.isOpenBLAS && m * n * k >= blasThreshold) {
            blas.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let operands = Operands(transposeA: transposeA, transposeB: transposeB, a: a, lda: lda, b: b, ldb: ldb)
        if n == 1 && !transposeA && (transposeB || ldb == 1) {
            gemv(operands, m: m, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
            return
        }
        let workers = m * n * k >= parallelThreshold ? min(threads, 8) : 1
        if workers <= 1 {
            blocked(operands, rows: 0..<m, columns: 0..<n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= sharedRows {
            sharedBlocked(operands, m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc, workers: workers)
            return
        }
        // Split the larger output dimension into micro-tile aligned chunks.
        let splitColumns = n >= m
        let extent = splitColumns ? n : m
        let unit = splitColumns ? nr : mr
        let chunk = ((extent + workers - 1) / workers + unit - 1) / unit * unit
        let pieces = (extent + chunk - 1) / chunk
        let shared = UncheckedSendable((operands: operands, c: c))
        // One piece per thread: more pieces would each pack the other operand again (measured
        // slower at 512³ with four per thread).
        WorkerPool.shared.perform(iterations: pieces) { piece in
            let range = (piece * chunk)..<min(extent, (piece + 1) * chunk)
            blocked(shared.value.operands, rows: splitColumns ? 0..<m : range, columns: splitColumns ? range : 0..<n,
                    k: k, alpha: alpha, beta: beta, c: shared.value.c, ldc: ldc)
        }
    }

    struct Operands {
        let transposeA: Bool, transposeB: Bool
        let a: UnsafePointer<Float>, lda: Int
        let b: UnsafePointer<Float>, ldb: Int
    }

    private static func scale(c: UnsafeMutablePointer<Float>, m: Int, n: Int, ldc: Int, beta: Float) {
        for i in 0..<m {
            let row = c + i * ldc
            if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
        }
    }

    /// `C[i, 0] = alpha * dot(A[i, :], B[:, 0]) + beta * C[i, 0]` when A's rows and B's column are
    /// contiguous: a matrix-vector product, which the 6x32 tile would pad 32-fold.
    private static func gemv(_ op: Operands, m: Int, k: Int, alpha: Float, beta: Float,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        typealias V = SIMD16<Float>
        for i in 0..<m {
            let row = op.a + i * op.lda
            var acc0 = V(), acc1 = V()
            var p = 0
            while p + 32 <= k {
                acc0.addProduct(UnsafeRawPointer(row + p).loadUnaligned(as: V.self), UnsafeRawPointer(op.b + p).loadUnaligned(as: V.self))
                acc1.addProduct(UnsafeRawPointer(row + p + 16).loadUnaligned(as: V.self), UnsafeRawPointer(op.b + p + 16).loadUnaligned(as: V.self))
                p += 32
            }
            var total = (acc0 + acc1).sum()
            while p < k { total += row[p] * op.b[p]; p += 1 }
            c[i * ldc] = beta == 0 ? alpha * total : alpha * total + beta * c[i * ldc]
        }
    }

    /// The blocked loop nest for one rectangle of C. Operands small enough to stay in cache are
    /// read in place; larger ones are packed into the thread's reusable workspace. Each A panel
    /// (12 rows packed, or 6 read in place) stays in L1 while the micro-kernel walks the B block.
    private static func blocked(
        _ op: Operands, rows: Range<Int>, columns: Range<Int>, k: Int,
        alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let workspace = GEMMWorkspace.current
        let directA = rows.count * k <= directLimit
        let directB = !op.transposeB && columns.count * k <= directLimit
        let rowsPerPanel = directA ? mr : GEMMPackedMicroKernel.mr
        workspace.reserve(a: directA ? 0 : (mc + rowsPerPanel) * kc, b: kc * (min(nc, columns.count) + nr))
        let packedA = workspace.packedA, packedB = workspace.packedB, edge = workspace.edge

        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let ncb = min(nc, columns.upperBound - jc)
            let fullPanels = ncb / nr * nr
            var pc = 0
            while pc < k {
                let kcb = min(kc, k - pc)
                if !directB {
                    packB(op, k0: pc, kc: kcb, j0: jc, nc: ncb, into: packedB)
                } else if fullPanels < ncb {
                    // In-place B still needs a zero-padded copy of its last, partial panel.
                    packB(op, k0: pc, kc: kcb, j0: jc + fullPanels, nc: ncb - fullPanels, into: packedB)
                }
                let blockBeta: Float = pc == 0 ? beta : 1
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mcb = min(mc, rows.upperBound - ic)
                    if !directA { packA(op, i0: ic, mc: mcb, k0: pc, kc: kcb, into: packedA) }
                    var ir = 0
                    while ir < mcb {
                        let mrb = min(rowsPerPanel, mcb - ir)
                        var jr = 0
                        while jr < ncb {
                            let nrb = min(nr, ncb - jr)
                            let panelB: UnsafePointer<Float>, depthB: Int
                            if !directB {
                                (panelB, depthB) = (UnsafePointer(packedB + jr * kcb), nr)
                            } else if jr < fullPanels {
                                (panelB, depthB) = (op.b + pc * op.ldb + jc + jr, op.ldb)
                            } else {
                                (panelB, depthB) = (UnsafePointer(packedB), nr)
                            }
                            let tile = c + (ic + ir) * ldc + jc + jr
                            if !directA {
                                GEMMPackedMicroKernel.run(
                                    kc: kcb, a: packedA + ir * kcb, b: panelB, depthStrideB: depthB,
                                    c: tile, ldc: ldc, rows: mrb, columns: nrb, alpha: alpha, beta: blockBeta, edge: edge)
                            } else {
                                let (panelA, rowA, depthA) = op.transposeA
                                    ? (op.a + pc * op.lda + ic + ir, 1, op.lda)
                                    : (op.a + (ic + ir) * op.lda + pc, op.lda, 1)
                                GEMMMicroKernel.run(
                                    kc: kcb, a: panelA, rowStrideA: rowA, depthStrideA: depthA,
                                    b: panelB, depthStrideB: depthB,
                                    c: tile, ldc: ldc, rows: mrb, columns: nrb,
                                    alpha: alpha, beta: blockBeta, edge: edge)
                            }
                            jr += nr
                        }
                        ir += rowsPerPanel
                    }
                    ic += mc
                }
                pc += kc
            }
            jc += nc
        }
    }

    /// Products with at least this many rows run `sharedBlocked`: enough blocks of rows for the
    /// threads to share out as they come free.
    static let sharedRows = 4 * mc
    /// Rows of A a thread claims at a time in `sharedBlocked`: half of `mc`, so the last claims
    /// of a step even out between threads.
    static let sharedBlockRows = mc / 2

    /// The blocked loop nest on `workers` threads with one packed B block for all of them: for
    /// each `kc x nc` block, the threads first pack B's panels together, then claim blocks of
    /// `sharedBlockRows` rows of A one at a time, each packing its block and running the
    /// micro-kernel over all of B's panels. Splitting C into one share per thread instead made each thread pack all of A,
    /// and a thread that started late (or whose core the host lent elsewhere) held up the other.
    /// The same sums in the same order as `blocked` (every panel of A packed, as there).
    private static func sharedBlocked(
        _ op: Operands, m: Int, n: Int, k: Int, alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, workers: Int
    ) {
        let packedSize = kc * (min(nc, n) + nr)
        let packedB = BufferPool.shared.take(packedSize)
        defer { BufferPool.shared.recycle(packedB, count: packedSize) }
        let rowsPerPanel = GEMMPackedMicroKernel.mr
        let context = UncheckedSendable((op: op, c: c, packedB: packedB))
        var jc = 0
        while jc < n {
            let ncb = min(nc, n - jc), panels = (ncb + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kcb = min(kc, k - pc)
                let blockBeta: Float = pc == 0 ? beta : 1
                WorkerPool.shared.perform(workers: workers, units: panels) { _, units in
                    let (op, _, packedB) = context.value
                    for j in units {
                        packB(op, k0: pc, kc: kcb, j0: jc + j * nr, nc: min(nr, ncb - j * nr), into: packedB + j * nr * kcb)
                    }
                }
                WorkerPool.shared.perform(workers: workers, units: (m + sharedBlockRows - 1) / sharedBlockRows) { _, units in
                    let (op, c, packedB) = context.value
                    let workspace = GEMMWorkspace.current
                    workspace.reserve(a: (sharedBlockRows + rowsPerPanel) * kc, b: 0)
                    let packedA = workspace.packedA, edge = workspace.edge
                    for block in units {
                        let ic = block * sharedBlockRows, mcb = min(sharedBlockRows, m - ic)
                        packA(op, i0: ic, mc: mcb, k0: pc, kc: kcb, into: packedA)
                        var ir = 0
                        while ir < mcb {
                            let mrb = min(rowsPerPanel, mcb - ir)
                            var jr = 0
                            while jr < ncb {
                                GEMMPackedMicroKernel.run(
                                    kc: kcb, a: packedA + ir * kcb, b: packedB + jr * kcb, depthStrideB: nr,
                                    c: c + (ic + ir) * ldc + jc + jr, ldc: ldc, rows: mrb, columns: min(nr, ncb - jr),
                                    alpha: alpha, beta: blockBeta, edge: edge)
                                jr += nr
                            }
                            ir += rowsPerPanel
                        }
                    }
                }
                pc += kc
            }
            jc += nc
        }
    }

    /// Packs `op(B)[k0..<k0+kc, j0..<j0+nc]` as consecutive `kc x NR` panels (zero padded).
    private static func packB(_ op: Operands, k0: Int, kc: Int, j0: Int, nc: Int, into dst: UnsafeMutablePointer<Float>) {
        var panel = dst
        var j = 0
        while j < nc {
            let width = min(nr, nc - j)
            if op.transposeB {
                // A transpose: 16 x 16 tiles through vector registers (`TransposePack`).
                TransposePack.panel(op.b + (j0 + j) * op.ldb + k0, ld: op.ldb, kc: kc, width: width, into: panel, nr: nr)
            } else if width == nr {
                // Two vector moves per depth step; a `memmove` call per 32 floats cost more than the copy.
                for p in 0..<kc {
                    let src = op.b + (k0 + p) * op.ldb + j0 + j, out = panel + p * nr
                    SIMDAccess.store(SIMDAccess.load(src), out)
                    SIMDAccess.store(SIMDAccess.load(src + 16), out + 16)
                }
            } else {
                for p in 0..<kc {
                    let out = panel + p * nr
                    out.update(from: op.b + (k0 + p) * op.ldb + j0 + j, count: width)
                    (out + width).update(repeating: 0, count: nr - width)
                }
            }
            panel += kc * nr
            j += nr
        }
    }

    /// Packs `op(A)[i0..<i0+mc, k0..<k0+kc]` as consecutive `12 x kc` panels stored k-major
    /// (12 values per depth step), zero padded.
    static func packA(_ op: Operands, i0: Int, mc: Int, k0: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
        let mr = GEMMPackedMicroKernel.mr
        var panel = dst
        var i = 0
        while i < mc {
            let height = min(mr, mc - i)
            if op.transposeA {
                for p in 0..<kc {
                    let out = panel + p * mr
                    SIMDAccess.copy(op.a + (k0 + p) * op.lda + i0 + i, to: out, count: height)
                    if height < mr { SIMDAccess.zero(out + height, count: mr - height) }
                }
            } else if height == mr {
                TransposePack.strip12(op.a + (i0 + i) * op.lda + k0, ld: op.lda, kc: kc, into: panel)
            } else {
                for r in 0..<mr {
                    if r < height {
                        let src = op.a + (i0 + i + r) * op.lda + k0
                        for p in 0..<kc { panel[p * mr + r] = src[p] }
                    } else {
                        for p in 0..<kc { panel[p * mr + r] = 0 }
                    }
                }
            }
            panel += mr * kc
            i += mr
        }
    }
}
