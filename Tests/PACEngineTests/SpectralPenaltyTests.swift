import PACEngine
import PACTestSupport
import Testing

/// A `[b, d]` matrix `U diag(σ) Vᵀ` with the given singular values (`min(b, d)` of them) and
/// random orthogonal `U`, `V`.
private func matrix(rows b: Int, columns d: Int, singularValues sigma: [Double], seed: UInt64) -> Tensor {
    precondition(sigma.count == min(b, d))
    var rng = RandomGenerator(seed: seed, stream: "singular-\(b)x\(d)")
    let u = DenseMatrix.randomOrthogonal(order: b, rng: &rng)
    let v = DenseMatrix.randomOrthogonal(order: d, rng: &rng)
    return Tensor(shape: [b, d], generating: { flat in
        let i = flat / d, j = flat % d
        return Float(sigma.indices.reduce(0.0) { $0 + u[i * b + $1] * sigma[$1] * v[j * d + $1] })
    })
}

/// The eigendecomposition of `F Fᵀ` (`transposed == false`) or `Fᵀ F`, formed in `Double`.
private func gramEigen(_ f: Tensor, transposed: Bool) -> SymmetricEigen {
    let b = f.shape[0], d = f.shape[1]
    let x = f.scalars.map(Double.init)
    let order = transposed ? d : b
    let gram = transposed
        ? DenseMatrix.product(x, x, m: d, k: b, n: d, transposeA: true)
        : DenseMatrix.product(x, DenseMatrix.transpose(x, rows: b, columns: d), m: b, k: d, n: b)
    return SymmetricEigen(symmetric: gram, order: order)
}

/// The penalty of a constant `f`.
private func penalty(_ f: Tensor, count k: Int) -> Double {
    Double(Variable(f).smallestSquaredSingularValues(count: k).value.scalar)
}

/// One gradient-check case: a well-conditioned matrix (singular values spaced 0.3 apart, so the
/// k-th smallest is well separated from the next) and the number of singular values summed.
struct SpectralCase: Sendable, CustomTestStringConvertible {
    let rows: Int, columns: Int, count: Int
    var testDescription: String { "[\(rows), \(columns)] k=\(count)" }

    var input: Tensor {
        let m = min(rows, columns)
        return matrix(rows: rows, columns: columns, singularValues: (0..<m).map { 0.5 + 0.3 * Double($0) }, seed: 21)
    }
}

@Suite("Batch spectral shrinkage penalty: the k smallest squared singular values")
struct SpectralPenaltyTests {
    @Test("value is the sum of the k smallest σ² of a matrix with known singular values",
          arguments: [(3, 5), (5, 3), (4, 4), (1, 4), (4, 1)])
    func knownSingularValues(rows b: Int, columns d: Int) {
        let sigma: [Double] = [1.5, 0.4, 2.2, 0.9].prefix(min(b, d)).map { $0 }
        let f = matrix(rows: b, columns: d, singularValues: sigma, seed: 20)
        let squares = sigma.map { $0 * $0 }.sorted()
        for k in 1...min(b, d) {
            let expected = squares.prefix(k).reduce(0, +)
            let actual = penalty(f, count: k)
            #expect(abs(actual - expected) <= 1e-5 * max(1, expected), "k=\(k): \(actual) vs \(expected)")
        }
    }

    @Test("value equals the smaller Gram's eigenvalues; the larger Gram only adds zeros",
          arguments: [[3, 6], [7, 4]], [1, 2])
    func matchesGramEigenvalues(shape: [Int], k: Int) {
        var rng = RandomGenerator(seed: 22, stream: "\(shape)")
        let f = rng.tensor(shape)
        let b = shape[0], d = shape[1]
        let smaller = gramEigen(f, transposed: b >= d).eigenvalues
        let larger = gramEigen(f, transposed: b < d).eigenvalues
        let expected = smaller.prefix(k).reduce(0, +)
        let actual = penalty(f, count: k)
        #expect(abs(actual - expected) <= 1e-6 * max(1, expected), "\(actual) vs \(expected)")
        // Not the zero eigenvalues of the larger Gram: the penalty is over min(b, d) singular values.
        let extra = abs(b - d)
        #expect(larger.prefix(extra).allSatisfy { abs($0) <= 1e-10 * larger.last! }, "\(larger)")
        for (a, c) in zip(larger.dropFirst(extra), smaller) { #expect(abs(a - c) <= 1e-10 * larger.last!) }
        #expect(expected > 0.1)
    }

    @Test func allSingularValuesGiveTheSquaredFrobeniusNormAndGradient2F() {
        var rng = RandomGenerator(seed: 23)
        for shape in [[3, 5], [5, 3]] {
            let f = Variable(rng.tensor(shape), requiresGrad: true)
            let p = f.smallestSquaredSingularValues(count: min(shape[0], shape[1]))
            let frobenius2 = f.value.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
            #expect(p.shape == [])
            #expect(abs(Double(p.value.scalar) - frobenius2) <= 1e-5 * frobenius2)
            p.backward()
            for (g, x) in zip(f.grad!.scalars, f.value.scalars) { #expect(abs(g - 2 * x) <= 1e-5) }
        }
    }

    @Test func transposingTheInputTransposesTheGradient() {
        // F [3, 5] and Fᵀ [5, 3] take the two branches but work on the same 3 x 5 matrix.
        var rng = RandomGenerator(seed: 24)
        let f = Variable(rng.tensor([3, 5]), requiresGrad: true)
        let ft = Variable(f.value.transposed(), requiresGrad: true)
        let p = f.smallestSquaredSingularValues(count: 2), pt = ft.smallestSquaredSingularValues(count: 2)
        #expect(p.value == pt.value)
        p.backward()
        pt.backward()
        #expect(f.grad! == ft.grad!.transposed())
    }

    static let gradientCases: [SpectralCase] = [
        SpectralCase(rows: 3, columns: 6, count: 1),
        SpectralCase(rows: 3, columns: 6, count: 2),
        SpectralCase(rows: 7, columns: 4, count: 1),
        SpectralCase(rows: 7, columns: 4, count: 2),
        SpectralCase(rows: 5, columns: 5, count: 1),
        SpectralCase(rows: 5, columns: 5, count: 5),
    ]

    @Test("finite-difference gradient", arguments: gradientCases)
    func gradient(_ c: SpectralCase) {
        GradientCheck.expectMatch([c.input], epsilon: 1e-3, "\(c.testDescription)") {
            $0[0].smallestSquaredSingularValues(count: c.count)
        }
    }

    @Test func gradientThroughALinearLayer() {
        // The BSS use: a penalty on features computed from parameters, weighted into a loss.
        var rng = RandomGenerator(seed: 25)
        let inputs = [SpectralCase(rows: 6, columns: 4, count: 1).input, rng.tensor([5, 4]), rng.tensor([5])]
        GradientCheck.expectMatch(inputs, epsilon: 1e-3) { v in
            Variable.linear(v[0], weight: v[1], bias: v[2]).tanh().smallestSquaredSingularValues(count: 1) * Float(0.5)
        }
    }

    @Test("the gradient check catches a wrong gradient", arguments: [SpectralCase(rows: 3, columns: 6, count: 1),
                                                                     SpectralCase(rows: 7, columns: 4, count: 1)])
    func checkCatchesWrongGradients(_ c: SpectralCase) {
        let f = c.input
        let right = GradientCheck.run([f], epsilon: 1e-3) { $0[0].smallestSquaredSingularValues(count: 1) }
        #expect(right.passed, "\(right)")

        // The factor 2 forgotten: the right gradient, halved.
        let halved = GradientCheck.run([f], epsilon: 1e-3) { v in
            let x = v[0].value
            return Variable.record(v[0].smallestSquaredSingularValues(count: 1).value, inputs: v) { g in
                let leaf = Variable(x, requiresGrad: true)
                leaf.smallestSquaredSingularValues(count: 1).backward(seed: g)
                return [leaf.grad! * Float(0.5)]
            }
        }
        #expect(!halved.passed)

        // The second-smallest singular direction instead of the smallest: 2 F v₂ v₂ᵀ or 2 u₂ u₂ᵀ F.
        let wrongDirection = GradientCheck.run([f], epsilon: 1e-3) { v in
            let x = v[0].value, b = x.shape[0], d = x.shape[1]
            return Variable.record(v[0].smallestSquaredSingularValues(count: 1).value, inputs: v) { g in
                let second = gramEigen(x, transposed: b >= d).eigenvector(1)
                let projector = Tensor(shape: [second.count, second.count], generating: { flat in
                    Float(2 * second[flat / second.count] * second[flat % second.count])
                })
                let direction = b >= d ? x.matmul(projector) : projector.matmul(x)
                return [direction * g.scalar]
            }
        }
        #expect(!wrongDirection.passed)
    }

    @Test func badArgumentsStopWithAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = Variable(Tensor(zeros: [2, 3])).smallestSquaredSingularValues(count: 0) }
        await #expect(processExitsWith: .failure) { _ = Variable(Tensor(zeros: [2, 3])).smallestSquaredSingularValues(count: 3) }
        await #expect(processExitsWith: .failure) { _ = Variable(Tensor(zeros: [6])).smallestSquaredSingularValues() }
    }
}
