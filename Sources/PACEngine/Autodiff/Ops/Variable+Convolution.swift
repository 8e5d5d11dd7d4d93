/// 2-D convolution (NCHW).
extension Variable {
    /// The 2-D convolution (cross-correlation, as in PyTorch's `nn.functional.conv2d`) of a batch
    /// of images, with symmetric stride and zero padding. Layout is NCHW throughout.
    ///
    /// - Parameters:
    ///   - x: `[N, C, H, W]`.
    ///   - weight: `[O, C, kh, kw]` (PyTorch's layout).
    ///   - bias: `[O]`, or `nil`.
    ///   - stride: the window step in both directions.
    ///   - padding: zeros added on every side of each image.
    /// - Returns: `[N, O, Ho, Wo]` with `Ho = (H + 2 * padding - kh) / stride + 1` (likewise `Wo`).
    ///
    /// Each image is lowered with im2col to a `[C * kh * kw, Ho * Wo]` column matrix and
    /// multiplied by the weight viewed as `[O, C * kh * kw]` (onto the bias, written first); for
    /// most ResNet layers the columns of the whole batch are packed straight into the GEMM
    /// kernel's panels (`PanelConvolution`). The backward pass recomputes the columns instead of
    /// storing them: `dW = Σₙ dYₙ · colsₙᵀ` (the batch in one pass, `TransposedWeightGradient` or
    /// `BatchedWeightGradient`, else GEMM or `RowDotProduct` per image); `dX` is the convolution of
    /// dY with the flipped, channel-swapped weight for stride 1 (a square kernel, padding below its
    /// size), else `col2im(Wᵀ · dYₙ)`; `db = Σ dY` over N, H, W. Work is spread over
    /// `Engine.maxThreads` threads; every path sums each entry in the same order, so results are
    /// bit-identical for any thread count and between the paths.
    public static func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, threads: Engine.maxThreads)
    }

    /// `conv2d` with an explicit thread budget (tests check results do not depend on it).
    static func conv2d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int, padding: Int, threads: Int) -> Variable {
        let geometry = Convolution.geometry(input: x.shape, weight: weight.shape, bias: bias?.shape, stride: stride, padding: padding)
        let xValue = x.value, wValue = weight.value
        let y = Convolution.forward(xValue, weight: wValue, bias: bias?.value, geometry: geometry, threads: threads)
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Variable.record(y, inputs: inputs) {
            [requiresX = x.requiresGrad, requiresW = weight.requiresGrad, requiresB = bias?.requiresGrad ?? false, hasBias = bias != nil] g in
            let (dx, dw) = Convolution.backward(g, input: xValue, weight: wValue, geometry: geometry,
                                                inputGradient: requiresX, weightGradient: requiresW, threads: threads)
            var grads: [Tensor?] = [dx, dw]
            if hasBias { grads.append(requiresB ? Convolution.biasGradient(g) : nil) }
            return grads
        }
    }
}

/// The tensor-level convolution kernels behind `Variable.conv2d` (NCHW, PyTorch weight layout).
enum Convolution {
    /// Validates shapes and returns the per-image geometry.
    static func geometry(input: [Int], weight: [Int], bias: [Int]?, stride: Int, padding: Int) -> Conv2dGeometry {
        precondition(input.count == 4, "conv2d: input must be NCHW [N, C, H, W], got \(input)")
        precondition(weight.count == 4, "conv2d: weight must be [O, C, kh, kw], got \(weight)")
        precondition(weight[1] == input[1], "conv2d: input has \(input[1]) channels, weight \(weight) expects \(weight[1])")
        precondition(weight[0] > 0, "conv2d: weight \(weight) has no output channels")
        if let bias { precondition(bias == [weight[0]], "conv2d: bias \(bias) for \(weight[0]) output channels") }
        precondition(stride > 0 && padding >= 0, "conv2d: stride \(stride) must be positive and padding \(padding) non-negative")
        return Conv2dGeometry(channels: input[1], height: input[2], width: input[3],
                              kernelHeight: weight[2], kernelWidth: weight[3], stride: stride, padding: padding)
    }

    /// `[N, O, Ho, Wo]` convolution of `x` `[N, C, H, W]` with `weight` `[O, C, kh, kw]`.
    ///
    /// An image is lowered a few output rows at a time (`rowsPerPiece`), so its columns stay in
    /// cache between im2col and the GEMM, which reads them in place instead of packing them.
    ///
    /// Convolutions of stride 1 or 2 whose output width divides 32 go to `PanelConvolution` (the column
    /// matrix packed straight into GEMM's panels).
    ///
    /// `batching: false` forces one product per image (tests compare the two paths bit for bit).
    static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry, threads: Int,
                        batching: Bool = true) -> Tensor {
        let n = x.shape[0], outChannels = weight.shape[0]
        let k = g.columnRows, positions = g.columnCount, wo = g.outputWidth
        if batching && n > 0 && PanelConvolution.applies(g) && builtinProducts {
            let biasScalars = bias?.scalars
            return Tensor(shape: [n, outChannels, g.outputHeight, g.outputWidth]) { out in
                x.withUnsafePointer { xp in
                    weight.withUnsafePointer { wp in
                        PanelConvolution.forward(xp, images: n, weight: wp, outChannels: outChannels, bias: biasScalars,
                                                 geometry: g, into: out, threads: threads)
                    }
                }
            }
        }
        let chunk = batching ? imagesPerProduct(g, images: n) : 1
        // (A one-column piece of the per-image path is a matrix-vector product, summed in another
        // order: images one output column wide keep that path.)
        if chunk > 1 && wo > 1 {
            return batchedForward(x, weight: weight, bias: bias, geometry: g, imagesPerProduct: chunk, threads: threads)
        }
        let schedule = ImageBatchSchedule(images: n, workPerImage: outChannels * k * positions, threads: threads)
        // A GEMM threaded on its own needs the whole image's product to be worth splitting.
        let pieceRows = schedule.gemmThreads > 1 ? g.outputHeight : rowsPerPiece(g)
        let pieceSize = k * pieceRows * wo
        let biasScalars = bias?.scalars
        return Tensor(shape: [n, outChannels, g.outputHeight, g.outputWidth]) { out in
            x.withUnsafePointer { xp in
                weight.withUnsafePointer { wp in
                    let (xs, ws, ys) = (UncheckedSendable(xp), UncheckedSendable(wp), UncheckedSendable(out))
                    schedule.run { _, groups in
                        let columns: UnsafeMutablePointer<Float>? = g.isPointwise ? nil : BufferPool.shared.take(pieceSize)
                        defer { if let columns { BufferPool.shared.recycle(columns, count: pieceSize) } }
                        for group in groups {
                            for i in schedule.images(ofGroup: group) {
                                let image = xs.value + i * g.imageSize
                                let result = ys.value + i * outChannels * positions
                                if let biasScalars {
                                    for o in 0..<outChannels { (result + o * positions).update(repeating: biasScalars[o], count: positions) }
                                }
                                let beta: Float = biasScalars == nil ? 0 : 1
                                guard let columns else {
                                    GEMM.multiply(transposeA: false, transposeB: false, m: outChannels, n: positions, k: k,
                                                  a: ws.value, lda: k, b: image, ldb: positions,
                                                  beta: beta, c: result, ldc: positions, threads: schedule.gemmThreads)
                                    continue
                                }
                                for first in Swift.stride(from: 0, to: g.outputHeight, by: pieceRows) {
                                    let rows = first..<Swift.min(g.outputHeight, first + pieceRows)
                                    let width = rows.count * wo
                                    Im2Col.im2col(image, geometry: g, outputRows: rows, into: columns)
                                    GEMM.multiply(transposeA: false, transposeB: false, m: outChannels, n: width, k: k,
                                                  a: ws.value, lda: k, b: columns, ldb: width,
                                                  beta: beta, c: result + first * wo, ldc: positions, threads: schedule.gemmThreads)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether every product runs in the built-in GEMM (whose sums do not depend on the
    /// products' sizes, so batched and per-image paths agree bit for bit), not a system BLAS.
    static var builtinProducts: Bool { SystemBLAS.shared == nil || Engine.gemmBackend == .builtin }

    /// Columns a batched product aims for: enough that packing the weight once per product is
    /// cheap and that GEMM's tiles and threads are busy.
    static let batchedColumns = 512
    /// The most scalars of a batched column matrix (16 MB).
    static let batchedColumnScalars = 1 << 22

    /// Images lowered into one product (their columns side by side), or 1 for one product per
    /// image. Images with few output positions (deep layers of a ResNet: 4 x 4 or 2 x 2) make
    /// shallow per-image products that pack the whole weight for a few columns; batching them
    /// reads the weight once per `batchedColumns` columns. GEMM sums every output over the depth
    /// in the same order whatever the number of columns, so the results are the per-image path's
    /// bit for bit, as long as no product goes to a system BLAS (whose bits depend on its sizes).
    static func imagesPerProduct(_ g: Conv2dGeometry, images: Int) -> Int {
        guard images > 1, builtinProducts else { return 1 }
        let positions = g.columnCount
        let most = Swift.min(images, batchedColumns / positions, Swift.max(1, batchedColumnScalars / (g.columnRows * positions)))
        guard most > 1 else { return 1 }
        // Even chunks: ceil(images / chunks) images each.
        let chunks = (images + most - 1) / most
        return (images + chunks - 1) / chunks
    }

    /// `forward` with the columns of `imagesPerProduct` images lowered side by side into one
    /// `[K, images * positions]` matrix and multiplied by the weight in one GEMM (threaded on its
    /// own), the `[O, images * positions]` result then scattered into the images' NCHW slices.
    static func batchedForward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2dGeometry,
                               imagesPerProduct chunk: Int, threads: Int) -> Tensor {
        let n = x.shape[0], outChannels = weight.shape[0]
        let k = g.columnRows, positions = g.columnCount
        let biasScalars = bias?.scalars
        let columnsSize = k * chunk * positions, productSize = outChannels * chunk * positions
        let columns = BufferPool.shared.take(columnsSize), product = BufferPool.shared.take(productSize)
        defer {
            BufferPool.shared.recycle(columns, count: columnsSize)
            BufferPool.shared.recycle(product, count: productSize)
        }
        return Tensor(shape: [n, outChannels, g.outputHeight, g.outputWidth]) { out in
            x.withUnsafePointer { xp in
                weight.withUnsafePointer { wp in
                    let (xs, ys, cs, ps) = (UncheckedSendable(xp), UncheckedSendable(out), UncheckedSendable(columns), UncheckedSendable(product))
                    for first in Swift.stride(from: 0, to: n, by: chunk) {
                        let count = Swift.min(chunk, n - first), width = count * positions
                        ParallelRanges.forEach(items: count, scalarsPerItem: k * positions, threads: threads) { images in
                            for j in images {
                                Im2Col.im2col(xs.value + (first + j) * g.imageSize, geometry: g, outputRows: 0..<g.outputHeight,
                                              into: cs.value + j * positions, ld: width)
                            }
                        }
                        if let biasScalars {
                            for o in 0..<outChannels { (product + o * width).update(repeating: biasScalars[o], count: width) }
                        }
                        GEMM.multiply(transposeA: false, transposeB: false, m: outChannels, n: width, k: k,
                                      a: wp, lda: k, b: columns, ldb: width,
                                      beta: biasScalars == nil ? 0 : 1, c: product, ldc: width, threads: threads)
                        ParallelRanges.forEach(items: count, scalarsPerItem: outChannels * positions, threads: threads) { images in
                            for j in images {
                                let result = ys.value + (first + j) * outChannels * positions
                                for o in 0..<outChannels {
                                    SIMDAccess.copy(ps.value + o * width + j * positions, to: result + o * positions, count: positions)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Output rows lowered at once: as many as keep a piece's columns small enough for GEMM to
    /// read in place (`GEMM.directLimit`), spread evenly over the image.
    static func rowsPerPiece(_ g: Conv2dGeometry) -> Int {
        let most = Swift.max(1, GEMM.directLimit / (g.columnRows * g.outputWidth))
        let pieces = (g.outputHeight + most - 1) / most
        return (g.outputHeight + pieces - 1) / pieces
    }

    /// For a stride-1 convolution whose padding is at most `kernel - 1` (square kernel), the input
    /// gradient is itself a convolution: of the output gradient with the weight flipped in both
    /// spatial axes and its channel axes swapped, padded by `kernel - 1 - padding`. Returns that
    /// convolution's geometry, or nil when the convolution does not qualify.
    static func transposedGeometry(_ g: Conv2dGeometry, outChannels: Int) -> Conv2dGeometry? {
        guard g.stride == 1, g.kernelHeight == g.kernelWidth, g.padding <= g.kernelHeight - 1 else { return nil }
        return Conv2dGeometry(channels: outChannels, height: g.outputHeight, width: g.outputWidth,
                              kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, stride: 1,
                              padding: g.kernelHeight - 1 - g.padding)
    }

    /// `[C, O, kh, kw]` with entry `[c, o, i, j] = weight[o, c, kh - 1 - i, kw - 1 - j]`.
    static func flippedTranspose(_ weight: Tensor) -> Tensor {
        let (o, c, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        return weight.withUnsafePointer { wp in
            Tensor(shape: [c, o, kh, kw]) { out in
                // Blocks of 16 input channels: each weight row is read in contiguous runs, and 16
                // output rows are written at a time.
                let taps = kh * kw, blocks = (c + 15) / 16
                let (source, target) = (UncheckedSendable(wp), UncheckedSendable(out))
                ParallelRanges.forEach(items: blocks, scalarsPerItem: 16 * o * taps) { range in
                    for block in range {
                        for oi in 0..<o {
                            for ci in (block * 16)..<Swift.min(c, block * 16 + 16) {
                                let src = source.value + (oi * c + ci) * taps, dst = target.value + (ci * o + oi) * taps
                                for t in 0..<taps { dst[t] = src[taps - 1 - t] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Gradients of the input and of the weight (each only when asked for) from the output gradient.
    ///
    /// `batching: false` forces one product per image; `packedLimit` bounds the packed columns
    /// of the batched weight gradient (tests use both to exercise every path).
    static func backward(
        _ gradient: Tensor, input x: Tensor, weight: Tensor, geometry g: Conv2dGeometry,
        inputGradient: Bool, weightGradient: Bool, threads: Int,
        batching: Bool = true, packedLimit: Int = packedColumnScalars
    ) -> (input: Tensor?, weight: Tensor?) {
        let n = x.shape[0], outChannels = weight.shape[0]
        let k = g.columnRows, positions = g.columnCount
        precondition(gradient.shape == [n, outChannels, g.outputHeight, g.outputWidth], "conv2d: gradient \(gradient.shape)")
        guard inputGradient || weightGradient else { return (nil, nil) }
        if n == 0 { return (inputGradient ? Tensor(zeros: x.shape) : nil, weightGradient ? Tensor(zeros: weight.shape) : nil) }

        // dX as a convolution when it is one (im2col copies and a deep GEMM, rather than a
        // shallow GEMM and col2im's scattered adds); otherwise per image below.
        let transposed = inputGradient ? transposedGeometry(g, outChannels: outChannels) : nil
        let loweredInput = inputGradient && transposed == nil
        var dx: Tensor? = transposed.map { tg in
            guard batching && PanelConvolution.applies(tg) && builtinProducts else {
                return forward(gradient, weight: flippedTranspose(weight), bias: nil, geometry: tg, threads: threads, batching: batching)
            }
            return Tensor(shape: x.shape) { out in
                gradient.withUnsafePointer { gp in
                    weight.withUnsafePointer { wp in
                        PanelConvolution.forward(gp, images: n, weight: wp, flipped: true, outChannels: g.channels, bias: nil,
                                                 geometry: tg, into: out, threads: threads)
                    }
                }
            }
        }
        guard loweredInput || weightGradient else { return (dx, nil) }
        let schedule = ImageBatchSchedule(images: n, workPerImage: outChannels * k * positions, threads: threads)
        let weightSize = outChannels * k
        // Long rows (many output positions) with few channels: dot products beat GEMM's transposed packing.
        let useRowDots = RowDotProduct.preferred(depth: positions) && outChannels * k * positions < GEMM.parallelThreshold
        // Several images at once: the input gradient's products when images have few positions,
        // the weight gradient of the whole batch in one pass (same bits, see `imagesPerProduct`,
        // `TransposedWeightGradient` and `BatchedWeightGradient`).
        let chunk = batching ? imagesPerProduct(g, images: n) : 1
        let batchedInput = loweredInput && chunk > 1
        let batchedWeight = batching && weightGradient && !useRowDots && n > 1 && k > 1
            && builtinProducts
        let imageInput = loweredInput && !batchedInput, imageWeight = weightGradient && !batchedWeight
        // Each group of images accumulates its own weight gradient; groups are summed in order.
        let partialCount = schedule.groups > 1 && imageWeight ? schedule.groups * weightSize : 0
        let partials = BufferPool.shared.take(partialCount)
        defer { BufferPool.shared.recycle(partials, count: partialCount) }
        if loweredInput { dx = Tensor(shape: x.shape, uninitialized: { _ in }) }
        var dw: Tensor? = weightGradient ? Tensor(shape: weight.shape, uninitialized: { _ in }) : nil
        if batchedInput {
            dx!.withUnsafeMutablePointer { dxp in
                batchedInputGradient(gradient, weight: weight, geometry: g, imagesPerProduct: chunk, into: dxp, threads: threads)
            }
        }
        if batchedWeight {
            let groups = (0..<schedule.groups).map { schedule.images(ofGroup: $0) }
            dw!.withUnsafeMutablePointer { dwp in
                batchedWeightGradient(gradient, input: x, outChannels: outChannels, geometry: g, groups: groups,
                                      packedLimit: packedLimit, into: dwp, threads: threads)
            }
        }
        guard imageInput || imageWeight else { return (dx, dw) }

        withOptionalMutablePointer(&dx) { dxp in
            withOptionalMutablePointer(&dw) { dwp in
                x.withUnsafePointer { xp in
                    weight.withUnsafePointer { wp in
                        gradient.withUnsafePointer { gp in
                            let (xs, ws, gs) = (UncheckedSendable(xp), UncheckedSendable(wp), UncheckedSendable(gp))
                            let dxs = imageInput ? dxp.map(UncheckedSendable.init) : nil
                            let dws = imageWeight ? dwp.map(UncheckedSendable.init) : nil
                            let partialsShared = UncheckedSendable(partials)
                            schedule.run { _, groups in
                                let columnSize = k * positions
                                let columns = imageWeight && !g.isPointwise ? BufferPool.shared.take(columnSize) : nil
                                let dColumns = imageInput && !g.isPointwise ? BufferPool.shared.take(columnSize) : nil
                                defer {
                                    if let columns { BufferPool.shared.recycle(columns, count: columnSize) }
                                    if let dColumns { BufferPool.shared.recycle(dColumns, count: columnSize) }
                                }
                                for group in groups {
                                    let target = partialCount > 0 ? partialsShared.value + group * weightSize : dws?.value
                                    for (j, i) in schedule.images(ofGroup: group).enumerated() {
                                        let image = xs.value + i * g.imageSize
                                        let dy = gs.value + i * outChannels * positions
                                        if let target {
                                            var b = image
                                            if let columns {
                                                Im2Col.im2col(image, geometry: g, into: columns)
                                                b = UnsafePointer(columns)
                                            }
                                            // dW (+)= dYᵢ [O, P] · colsᵢᵀ [P, K]
                                            if useRowDots {
                                                RowDotProduct.multiply(m: outChannels, n: k, depth: positions, a: dy, lda: positions,
                                                                       b: b, ldb: positions, c: target, ldc: k, accumulate: j > 0)
                                            } else {
                                                GEMM.multiply(transposeA: false, transposeB: true, m: outChannels, n: k, k: positions,
                                                              a: dy, lda: positions, b: b, ldb: positions,
                                                              beta: j == 0 ? 0 : 1, c: target, ldc: k, threads: schedule.gemmThreads)
                                            }
                                        }
                                        if let dxs {
                                            let dImage = dxs.value + i * g.imageSize
                                            // dcolsᵢ [K, P] = Wᵀ [K, O] · dYᵢ [O, P]; for a pointwise kernel that is dXᵢ itself.
                                            GEMM.multiply(transposeA: true, transposeB: false, m: k, n: positions, k: outChannels,
                                                          a: ws.value, lda: k, b: dy, ldb: positions,
                                                          beta: 0, c: dColumns ?? dImage, ldc: positions, threads: schedule.gemmThreads)
                                            if let dColumns {
                                                dImage.update(repeating: 0, count: g.imageSize)
                                                Im2Col.col2im(dColumns, geometry: g, addingInto: dImage)
                                            }
                                        }
                                    }
                                }
                            }
                            if partialCount > 0, let dws {
                                dws.value.update(from: partials, count: weightSize)
                                for group in 1..<schedule.groups {
                                    let part = partials + group * weightSize
                                    for e in 0..<weightSize { dws.value[e] += part[e] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw)
    }

    /// The input gradient of a lowered (not transposed-convolution) convolution, several images per
    /// product: `dcols = Wᵀ · [dY of the images side by side]`, then col2im per image. The GEMM
    /// sums each entry over the output channels in the same order as the per-image product.
    static func batchedInputGradient(_ gradient: Tensor, weight: Tensor, geometry g: Conv2dGeometry, imagesPerProduct chunk: Int,
                                     into dx: UnsafeMutablePointer<Float>, threads: Int) {
        let n = gradient.shape[0], outChannels = weight.shape[0]
        let k = g.columnRows, positions = g.columnCount
        let gradientSize = outChannels * chunk * positions, columnsSize = k * chunk * positions
        let dy = BufferPool.shared.take(gradientSize), dColumns = BufferPool.shared.take(columnsSize)
        defer {
            BufferPool.shared.recycle(dy, count: gradientSize)
            BufferPool.shared.recycle(dColumns, count: columnsSize)
        }
        gradient.withUnsafePointer { gp in
            weight.withUnsafePointer { wp in
                let (gs, dys, dcs, dxs) = (UncheckedSendable(gp), UncheckedSendable(dy), UncheckedSendable(dColumns), UncheckedSendable(dx))
                for first in Swift.stride(from: 0, to: n, by: chunk) {
                    let count = Swift.min(chunk, n - first), width = count * positions
                    ParallelRanges.forEach(items: count, scalarsPerItem: outChannels * positions, threads: threads) { images in
                        for j in images {
                            let source = gs.value + (first + j) * outChannels * positions
                            for o in 0..<outChannels {
                                SIMDAccess.copy(source + o * positions, to: dys.value + o * width + j * positions, count: positions)
                            }
                        }
                    }
                    GEMM.multiply(transposeA: true, transposeB: false, m: k, n: width, k: outChannels,
                                  a: wp, lda: k, b: dy, ldb: width, beta: 0, c: dColumns, ldc: width, threads: threads)
                    ParallelRanges.forEach(items: count, scalarsPerItem: k * positions, threads: threads) { images in
                        for j in images {
                            let dImage = dxs.value + (first + j) * g.imageSize
                            dImage.update(repeating: 0, count: g.imageSize)
                            Im2Col.col2im(dcs.value + j * positions, geometry: g, addingInto: dImage, ld: width)
                        }
                    }
                }
            }
        }
    }

    /// The most scalars of packed columns `batchedWeightGradient` keeps at once (16 MB).
    static let packedColumnScalars = 1 << 22

    /// Positions per image from which the weight gradient is computed transposed
    /// (`TransposedWeightGradient`); below, an image's products are too shallow for a store of
    /// the tile per image and `BatchedWeightGradient` keeps the sums in registers.
    static let transposedWeightGradientPositions = 16

    /// The weight gradient of a batch: transposed (`TransposedWeightGradient`) from
    /// `transposedWeightGradientPositions` positions; otherwise with `BatchedWeightGradient`, the
    /// images' columns packed a chunk of whole groups at a time, each chunk's groups added onto
    /// the previous chunks' total.
    static func batchedWeightGradient(_ gradient: Tensor, input x: Tensor, outChannels: Int, geometry g: Conv2dGeometry,
                                      groups: [Range<Int>], packedLimit: Int, into dw: UnsafeMutablePointer<Float>, threads: Int) {
        let k = g.columnRows, positions = g.columnCount
        if positions >= transposedWeightGradientPositions {
            gradient.withUnsafePointer { gp in
                x.withUnsafePointer { xp in
                    TransposedWeightGradient.multiply(dy: gp, input: xp, geometry: g, outChannels: outChannels, groups: groups,
                                                      packedLimit: packedLimit, into: dw, threads: threads)
                }
            }
            return
        }
        let perImage = BatchedWeightGradient.packedSize(k: k, positions: positions, images: 1)
        let most = Swift.max(1, packedLimit / perImage)
        let chunks = ImageBatchSchedule.chunked(groups, most: most)
        let largest = chunks.map { $0.last!.upperBound - $0.first!.lowerBound }.max()!
        let packedSize = perImage * largest
        let packed = BufferPool.shared.take(packedSize)
        defer { BufferPool.shared.recycle(packed, count: packedSize) }
        gradient.withUnsafePointer { gp in
            x.withUnsafePointer { xp in
                let (xs, ps) = (UncheckedSendable(xp), UncheckedSendable(packed))
                for (index, chunk) in chunks.enumerated() {
                    let first = chunk.first!.lowerBound, count = chunk.last!.upperBound - first
                    ParallelRanges.forEach(items: count, scalarsPerItem: k * positions, threads: threads) { images in
                        let columnSize = k * positions
                        let columns = BufferPool.shared.take(columnSize)
                        defer { BufferPool.shared.recycle(columns, count: columnSize) }
                        for j in images {
                            Im2Col.im2col(xs.value + (first + j) * g.imageSize, geometry: g, into: columns)
                            BatchedWeightGradient.pack(columns, k: k, positions: positions, index: j, images: count, into: ps.value)
                        }
                    }
                    BatchedWeightGradient.multiply(m: outChannels, k: k, positions: positions, dy: gp, groups: Array(chunk),
                                                   firstImage: first, images: count, packed: packed, c: dw,
                                                   accumulate: index > 0, threads: threads)
                }
            }
        }
    }

    /// `[O]`: the output gradient `[N, O, Ho, Wo]` summed over N, Ho and Wo.
    static func biasGradient(_ gradient: Tensor) -> Tensor {
        let n = gradient.shape[0], channels = gradient.shape[1], positions = gradient.shape[2] * gradient.shape[3]
        var totals = [Double](repeating: 0, count: channels)
        gradient.withUnsafePointer { gp in
            for i in 0..<n {
                for o in 0..<channels { totals[o] += Double(rowSum(gp + (i * channels + o) * positions, count: positions)) }
            }
        }
        return Tensor(shape: [channels], scalars: totals.map { Float($0) })
    }

    /// The sum of `count` contiguous floats (SIMD partial sums, fixed order).
    @inline(__always)
    static func rowSum(_ p: UnsafePointer<Float>, count: Int) -> Float {
        typealias V = SIMD16<Float>
        var acc = V()
        var j = 0
        while j + 16 <= count {
            acc += UnsafeRawPointer(p + j).loadUnaligned(as: V.self)
            j += 16
        }
        var total = acc.sum()
        while j < count { total += p[j]; j += 1 }
        return total
    }

    private static func withOptionalMutablePointer<R>(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard tensor != nil else { return body(nil) }
        return tensor!.withUnsafeMutablePointer { body($0) }
    }
}
