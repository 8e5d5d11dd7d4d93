import PACEngine

/// `Trainer.fit` for an `MLP` whose objective is its data loss plus parameter penalties, run
/// without building a computation graph.
///
/// Every number is computed as the autodiff path computes it, operation for operation: the same
/// GEMM calls with the same shapes and strides, the same activation and loss code, the bias
/// gradient summed in the same order, each penalty's gradient formed as its graph forms it and
/// added to the layer's, and the same `Optimizer.step()`. The trained weights, the optimizer
/// state and the loss history are therefore bit-identical to the graph's (tested). What it saves
/// is what dominates the steps of small networks: graph nodes and closures, a fresh tensor per
/// operation, the separate passes of a penalty (one fused pass here), and the gradients of
/// frozen parameters, which the graph computes and the optimizer then skips.
///
/// The penalty's value enters only the divergence check (`Trainer.divergenceFactor`); it is
/// summed exactly (in the graph's order, a serial `Double` sum) on the first step, which sets
/// the limit, and on any step whose fast upper bound does not clear the limit, so every check
/// decides as the graph's does.
struct MLPTrainingRun {
    private let layers: [Linear]
    private let activation: Activation
    private let trainer: Trainer
    private let penalties: [ParameterPenalty]

    /// A run, or nil when `model`, `penalties` or `inputs` are not of the form this path covers
    /// (the caller then trains through the graph).
    init?(_ model: MLP, trainer: Trainer, penalties: [ParameterPenalty], inputs: Tensor) {
        let modules = model.layers.layers
        for (index, module) in modules.enumerated() {
            let isActivation = index % 2 == 1
            if isActivation ? (module as? ActivationLayer)?.activation != model.activation : !(module is Linear) { return nil }
        }
        let layers = model.linearLayers
        guard modules.count % 2 == 1, !layers.isEmpty, inputs.rank == 2, inputs.shape[1] == layers[0].inFeatures else { return nil }
        // Each penalized parameter must be the model's and penalized once, so its gradient has
        // exactly two parts (layer + penalty), whose sum does not depend on their order.
        let owned = Set(model.parameters().map(ObjectIdentifier.init))
        let penalized = penalties.flatMap { $0.terms.map { ObjectIdentifier($0.parameter) } }
        guard Set(penalized).count == penalized.count, penalized.allSatisfy(owned.contains) else { return nil }
        self.layers = layers
        self.activation = model.activation
        self.trainer = trainer
        self.penalties = penalties
    }

    func fit(optimizer: some Optimizer, inputs: Tensor, targets: Tensor,
             rng: inout RandomGenerator) throws(TrainingError) -> [Double] {
        let n = inputs.shape[0]
        let rows = min(trainer.batchSize, n), last = layers.count - 1
        let buffers = Buffers(rows: rows, inFeatures: layers[0].inFeatures, widths: layers.map(\.outFeatures))
        defer { buffers.deallocate() }
        // Gradients live in the parameters' `grad` (what the optimizer reads), allocated once;
        // frozen parameters get none, as the optimizer would skip it.
        for layer in layers {
            for parameter in [layer.weight] + (layer.bias.map { [$0] } ?? []) {
                parameter.variable.grad = parameter.isFrozen ? nil : Tensor(zeros: parameter.shape)
            }
        }
        // Backward stops below the lowest layer with a trainable parameter.
        let lowest = layers.firstIndex { !$0.weight.isFrozen || $0.bias.map { !$0.isFrozen } == true }
        return try trainer.forEachBatch(rows: n, rng: &rng) { batch in
            inputs.withUnsafePointer { source in
                let width = layers[0].inFeatures
                for (row, index) in batch.enumerated() {
                    (buffers.input + row * width).update(from: source + index * width, count: width)
                }
            }
            forward(rows: batch.count, buffers)
            let width = layers[last].outFeatures
            let prediction = Variable(Tensor(shape: [batch.count, width], uninitialized: { $0.update(from: buffers.outputs[last], count: batch.count * width) }),
                                      requiresGrad: true)
            let dataLoss = trainer.loss(prediction, targets.gatherRows(batch))
            let dataValue = dataLoss.value.scalar
            if let lowest {
                dataLoss.backward()
                prediction.grad!.withUnsafePointer { buffers.deltas[last].update(from: $0, count: batch.count * width) }
                backward(rows: batch.count, through: lowest, buffers)
            }
            let bound = penaltyPass()
            return Trainer.BatchStep(dataLoss: dataValue, total: { limit in
                // Below the limit for sure: the exact total is not needed.
                if let limit, let bound, Self.clears(dataValue, penaltyBound: bound, limit: limit) { return dataValue }
                return exactTotal(dataValue)
            }, update: optimizer.step)
        }
    }

    // MARK: - Forward and backward

    /// `outputs[l] = activation(outputs[l - 1] * W_lᵀ + b_l)`, as `Variable.linear` computes it.
    private func forward(rows n: Int, _ buffers: Buffers) {
        for (l, layer) in layers.enumerated() {
            let x = l == 0 ? buffers.input : buffers.outputs[l - 1]
            let y = buffers.outputs[l], out = layer.outFeatures, inFeatures = layer.inFeatures
            if let bias = layer.bias {
                bias.value.withUnsafePointer { b in for r in 0..<n { (y + r * out).update(from: b, count: out) } }
            }
            layer.weight.value.withUnsafePointer { w in
                GEMM.multiply(transposeA: false, transposeB: true, m: n, n: out, k: inFeatures, a: x, lda: inFeatures, b: w, ldb: inFeatures,
                              beta: layer.bias == nil ? 0 : 1, c: y, ldc: out)
            }
            if l < layers.count - 1 { activation.apply(inPlace: y, count: n * out) }
        }
    }

    /// From `deltas[last]` (d loss / d prediction) down to layer `lowest`: each trainable
    /// parameter's gradient (`g * x` and the bias sum, as `Variable.linear`'s pullback), and
    /// `deltas[l - 1] = activation'(outputs[l - 1]) * (g * W_l)`.
    private func backward(rows n: Int, through lowest: Int, _ buffers: Buffers) {
        for l in stride(from: layers.count - 1, through: lowest, by: -1) {
            let layer = layers[l], g = UnsafePointer(buffers.deltas[l])
            let x = UnsafePointer(l == 0 ? buffers.input : buffers.outputs[l - 1])
            let out = layer.outFeatures, inFeatures = layer.inFeatures
            if !layer.weight.isFrozen {
                layer.weight.variable.grad!.withUnsafeMutablePointer { dw in
                    GEMM.multiply(transposeA: true, transposeB: false, m: out, n: inFeatures, k: n, a: g, lda: out, b: x, ldb: inFeatures,
                                  c: dw, ldc: inFeatures)
                }
            }
            if let bias = layer.bias, !bias.isFrozen {
                bias.variable.grad!.withUnsafeMutablePointer { db in
                    if out == 1 {
                        // `sum(toShape: [1])` of `[n, 1]` is the full sum, accumulated in Double.
                        var total = 0.0
                        for r in 0..<n { total += Double(g[r]) }
                        db[0] = Float(total)
                    } else {
                        db.update(repeating: 0, count: out)
                        for r in 0..<n { for j in 0..<out { db[j] += g[r * out + j] } }
                    }
                }
            }
            if l > lowest {
                let dx = buffers.deltas[l - 1]
                layer.weight.value.withUnsafePointer { w in
                    GEMM.multiply(transposeA: false, transposeB: false, m: n, n: inFeatures, k: out, a: g, lda: out, b: w, ldb: inFeatures,
                                  c: dx, ldc: inFeatures)
                }
                activation.backward(inPlace: dx, output: buffers.outputs[l - 1], count: n * inFeatures)
            }
        }
    }

    // MARK: - Penalties

    /// Adds every penalty's gradient to its (trainable) parameter's, `((2 u) * lambda) * mask`
    /// or `(2 u) * lambda` as the graph's pullbacks form them, and returns an upper bound of the
    /// penalties' summed value, or nil when the bound is not finite.
    private func penaltyPass() -> Double? {
        var bound = 0.0
        for penalty in penalties {
            let lambda = penalty.strength
            var sum = 0.0
            for term in penalty.terms {
                let parameter = term.parameter
                let count = parameter.value.count
                let trainable = !parameter.isFrozen
                var lanes = SIMD16<Float>()
                var tail: Float = 0
                let full = count / 16 * 16
                parameter.value.withUnsafePointer { w in
                    term.operand.withUnsafePointer { other in
                        let masked = term.isMasked
                        if trainable {
                            parameter.variable.grad!.withUnsafeMutablePointer { g in
                                Self.penaltyKernel(w: w, other: other, masked: masked, lambda: lambda, gradient: g, count: count,
                                                   full: full, lanes: &lanes, tail: &tail)
                            }
                        } else {
                            Self.penaltyKernel(w: w, other: other, masked: masked, lambda: lambda, gradient: nil, count: count,
                                               full: full, lanes: &lanes, tail: &tail)
                        }
                    }
                }
                // Float summation of `count` non-negative terms in 16 lanes errs by at most
                // (count / 16 + 4) units of 2^-24 relative; the factor covers it twice over.
                let approximate = Double(lanes.sum()) + Double(tail)
                sum += approximate * (1 + Double(count / 16 + 32) * 0x1p-22)
            }
            // The graph's Float additions and product add a few roundings more.
            bound += lambda >= 0 ? sum * Double(lambda) * (1 + 0x1p-16) : 0
            if !sum.isFinite { return nil }
        }
        return bound.isFinite ? bound : nil
    }

    @inline(__always)
    private static func penaltyKernel(w: UnsafePointer<Float>, other: UnsafePointer<Float>, masked: Bool, lambda: Float,
                                      gradient g: UnsafeMutablePointer<Float>?, count: Int, full: Int,
                                      lanes: inout SIMD16<Float>, tail: inout Float) {
        typealias V = SIMD16<Float>
        func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        var i = 0
        while i < full {
            let wv = load(w + i), ov = load(other + i)
            let u = masked ? wv * ov : wv - ov
            lanes += u * u
            if let g {
                let part = masked ? ((2 * u) * lambda) * ov : (2 * u) * lambda
                UnsafeMutableRawPointer(g + i).storeBytes(of: load(g + i) + part, as: V.self)
            }
            i += 16
        }
        while i < count {
            let u = masked ? w[i] * other[i] : w[i] - other[i]
            tail += u * u
            if let g { g[i] = g[i] + (masked ? ((2 * u) * lambda) * other[i] : (2 * u) * lambda) }
            i += 1
        }
    }

    /// The step's total loss exactly as the graph computes it: `((data + P_1) + P_2) ...` with
    /// `P = ((0 + s_1) + s_2 + ...) * lambda` and each `s` a serial Double sum of Float squares.
    private func exactTotal(_ dataValue: Float) -> Float {
        var total = dataValue
        for penalty in penalties {
            var sum: Float = 0
            for term in penalty.terms {
                let masked = term.isMasked
                let s = term.parameter.value.withUnsafePointer { w in
                    term.operand.withUnsafePointer { other in
                        var t = 0.0
                        for i in 0..<term.parameter.value.count {
                            let u = masked ? w[i] * other[i] : w[i] - other[i]
                            t += Double(u * u)
                        }
                        return Float(t)
                    }
                }
                sum = sum + s
            }
            total = total + sum * penalty.strength
        }
        return total
    }

    /// True when `data + penalties` certainly stays below `limit` (so neither check of the step
    /// can fire); false when the bound does not decide it.
    private static func clears(_ dataValue: Float, penaltyBound: Double, limit: Float) -> Bool {
        dataValue.isFinite && (Double(dataValue) + penaltyBound) * (1 + 0x1p-20) < Double(limit)
    }
}

extension MLPTrainingRun {
    /// A batch's input and, per layer, its outputs and the loss gradient with respect to them,
    /// allocated once for the run.
    private struct Buffers {
        let input: UnsafeMutablePointer<Float>
        let outputs: [UnsafeMutablePointer<Float>]
        let deltas: [UnsafeMutablePointer<Float>]

        init(rows: Int, inFeatures: Int, widths: [Int]) {
            input = .allocate(capacity: rows * inFeatures)
            outputs = widths.map { .allocate(capacity: rows * $0) }
            deltas = widths.map { .allocate(capacity: rows * $0) }
        }

        func deallocate() {
            input.deallocate()
            outputs.forEach { $0.deallocate() }
            deltas.forEach { $0.deallocate() }
        }
    }
}

extension ParameterPenalty.Term {
    /// The mask or the anchor.
    fileprivate var operand: Tensor {
        switch self {
        case .masked(_, let mask): mask
        case .anchored(_, let anchor): anchor
        }
    }

    fileprivate var isMasked: Bool {
        if case .masked = self { return true }
        return false
    }
}
