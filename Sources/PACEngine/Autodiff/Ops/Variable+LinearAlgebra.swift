/// Matrix products.
extension Variable {
    /// `op(self) * op(other)` for rank-2 variables, `op` optionally transposing.
    public func matmul(_ other: Variable, transposeSelf: Bool = false, transposeOther: Bool = false) -> Variable {
        let a = value, b = other.value
        let result = a.matmul(b, transposeSelf: transposeSelf, transposeOther: transposeOther)
        return Variable.record(result, inputs: [self, other]) { [requiresA = requiresGrad, requiresB = other.requiresGrad] g in
            let da: Tensor? = !requiresA ? nil : transposeSelf
                ? b.matmul(g, transposeSelf: transposeOther, transposeOther: true)
                : g.matmul(b, transposeOther: !transposeOther)
            let db: Tensor? = !requiresB ? nil : transposeOther
                ? g.matmul(a, transposeSelf: true, transposeOther: transposeSelf)
                : a.matmul(g, transposeSelf: !transposeSelf)
            return [da, db]
        }
    }

    /// The affine map of a fully connected layer, `x * weightᵀ + bias`, with PyTorch's weight
    /// layout (`[out, in]`), optionally followed by a fused activation. The bias is written into
    /// the output first and the product accumulated onto it, and the activation is applied in
    /// place, so neither costs an extra tensor or graph node. Results are bit-identical to the
    /// unfused ops.
    public static func linear(_ x: Variable, weight: Variable, bias: Variable?, activation: Activation? = nil) -> Variable {
        precondition(x.value.rank == 2 && weight.value.rank == 2, "linear: input \(x.shape), weight \(weight.shape)")
        let n = x.shape[0], inFeatures = x.shape[1], outFeatures = weight.shape[0]
        precondition(weight.shape[1] == inFeatures, "linear: input has \(inFeatures) features, weight expects \(weight.shape[1])")
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) for \(outFeatures) outputs") }
        var y = Tensor(zeros: [n, outFeatures])
        y.withUnsafeMutablePointer { out in
            if let bias {
                bias.value.withUnsafePointer { b in
                    for r in 0..<n { (out + r * outFeatures).update(from: b, count: outFeatures) }
                }
            }
            x.value.withUnsafePointer { xp in
                weight.value.withUnsafePointer { wp in
                    GEMM.multiply(transposeA: false, transposeB: true, m: n, n: outFeatures, k: inFeatures,
                                  a: xp, lda: inFeatures, b: wp, ldb: inFeatures,
                                  beta: bias == nil ? 0 : 1, c: out, ldc: outFeatures)
                }
            }
            activation?.apply(inPlace: out, count: n * outFeatures)
        }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let xValue = x.value, wValue = weight.value
        return Variable.record(y, inputs: inputs) { [requiresX = x.requiresGrad, requiresW = weight.requiresGrad] output in
            let g = activation.map { $0.backward(output, output: y) } ?? output
            var grads: [Tensor?] = [
                requiresX ? g.matmul(wValue) : nil,
                requiresW ? g.matmul(xValue, transposeSelf: true) : nil,
            ]
            if bias != nil { grads.append(g.sum(toShape: [outFeatures])) }
            return grads
        }
    }
}
