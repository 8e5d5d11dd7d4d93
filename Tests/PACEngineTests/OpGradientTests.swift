import PACEngine
import PACTestSupport
import Testing

/// One differentiable operation to check: its inputs and how to build it from variables.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [InputSpec]
    let epsilon: Float
    let build: @Sendable ([Variable]) -> Variable

    init(_ name: String, _ inputs: [InputSpec], epsilon: Float = 1e-2, _ build: @escaping @Sendable ([Variable]) -> Variable) {
        self.name = name
        self.inputs = inputs
        self.epsilon = epsilon
        self.build = build
    }

    var testDescription: String { "\(name) \(inputs.map(\.description).joined(separator: ", "))" }

    /// Runs the finite-difference check on fresh random inputs.
    func check(seed: UInt64 = 7) {
        var rng = RandomGenerator(seed: seed, stream: name)
        let values = rng.tensors(inputs)
        let report = GradientCheck.run(values, epsilon: epsilon, build)
        #expect(report.passed, "\(testDescription): \(report)")
    }
}

/// Shape pairs for binary broadcasting ops: same shape, trailing vector, outer product,
/// scalar-shaped operands on either side, and rank-3 against rank-2.
private let broadcastPairs: [([Int], [Int])] = [
    ([4, 3], [4, 3]),
    ([4, 3], [3]),
    ([3], [4, 3]),
    ([4, 1], [1, 3]),
    ([4, 3], []),
    ([], [4, 3]),
    ([4, 3], [1]),
    ([2, 3, 4], [3, 1]),
    ([2, 1, 4], [3, 4]),
]

@Suite("Finite-difference gradients of every Variable op")
struct OpGradientTests {
    static let binaryCases: [OpCase] = broadcastPairs.flatMap { a, b in
        [
            OpCase("a + b", [InputSpec(a), InputSpec(b)]) { $0[0] + $0[1] },
            OpCase("a - b", [InputSpec(a), InputSpec(b)]) { $0[0] - $0[1] },
            OpCase("a * b", [InputSpec(a), InputSpec(b)]) { $0[0] * $0[1] },
            OpCase("a / b", [InputSpec(a), InputSpec(b, .awayFromZero)]) { $0[0] / $0[1] },
        ]
    }

    @Test("binary broadcasting arithmetic (both operands)", arguments: binaryCases)
    func binary(_ op: OpCase) { op.check() }

    static let unaryCases: [OpCase] = [
        OpCase("negation", [InputSpec([3, 4])]) { -$0[0] },
        OpCase("x * scalar", [InputSpec([3, 4])]) { $0[0] * Float(1.7) },
        OpCase("scalar * x", [InputSpec([3, 4])]) { Float(-0.6) * $0[0] },
        OpCase("x + scalar", [InputSpec([3, 4])]) { ($0[0] + Float(2.5)) * $0[0] },
        OpCase("x - scalar", [InputSpec([3, 4])]) { ($0[0] - Float(2.5)) * $0[0] },
        OpCase("x / scalar", [InputSpec([3, 4])]) { $0[0] / Float(0.3) },
        OpCase("x + tensor constant", [InputSpec([3, 4])]) { ($0[0] + Tensor([1, -2, 3, 0.5])) * $0[0] },
        OpCase("x - tensor constant", [InputSpec([3, 4])]) { ($0[0] - Tensor(rows: [[1], [2], [-3]])) * $0[0] },
        OpCase("x * tensor constant", [InputSpec([3, 4])]) { $0[0] * Tensor([1, -2, 3, 0.5]) },
        OpCase("relu", [InputSpec([3, 5], .awayFromZero)]) { $0[0].relu() },
        OpCase("tanh", [InputSpec([3, 5])]) { $0[0].tanh() },
        OpCase("sigmoid", [InputSpec([3, 5])]) { $0[0].sigmoid() },
        OpCase("exp", [InputSpec([3, 5])]) { $0[0].exp() },
        OpCase("log", [InputSpec([3, 5], .positive)]) { $0[0].log() },
        OpCase("sqrt", [InputSpec([3, 5], .positive)]) { $0[0].sqrt() },
        OpCase("squared", [InputSpec([3, 5])]) { $0[0].squared() },
        OpCase("softplus", [InputSpec([3, 5])]) { $0[0].softplus() },
        OpCase("logSoftmax rank 1", [InputSpec([6])]) { $0[0].logSoftmax() },
        OpCase("logSoftmax rank 2", [InputSpec([4, 5])]) { $0[0].logSoftmax() },
        OpCase("logSoftmax rank 3", [InputSpec([2, 3, 4])]) { $0[0].logSoftmax() },
    ]

    @Test("unary, scalar and elementwise ops", arguments: unaryCases)
    func unary(_ op: OpCase) { op.check() }

    static let reductionCases: [OpCase] = [
        OpCase("sum", [InputSpec([3, 4])]) { $0[0].sum() },
        OpCase("mean", [InputSpec([3, 4])]) { $0[0].mean() },
        OpCase("sum (rank 0 input)", [InputSpec([])]) { $0[0].sum() * $0[0] },
        OpCase("sum along [0]", [InputSpec([3, 4])]) { $0[0].sum(alongAxes: [0]) },
        OpCase("sum along [1]", [InputSpec([3, 4])]) { $0[0].sum(alongAxes: [1]) },
        OpCase("sum along [1] keeping dims", [InputSpec([3, 4])]) { $0[0].sum(alongAxes: [1], keepingDims: true) },
        OpCase("sum along [0, 2]", [InputSpec([2, 3, 4])]) { $0[0].sum(alongAxes: [0, 2]) },
        OpCase("sum along [-1] keeping dims", [InputSpec([2, 3, 4])]) { $0[0].sum(alongAxes: [-1], keepingDims: true) },
        OpCase("sum along all axes", [InputSpec([2, 3, 4])]) { $0[0].sum(alongAxes: [0, 1, 2]) },
        OpCase("mean along [0]", [InputSpec([3, 4])]) { $0[0].mean(alongAxes: [0]) },
        OpCase("mean along [1, 2] keeping dims", [InputSpec([2, 3, 4])]) { $0[0].mean(alongAxes: [1, 2], keepingDims: true) },
        OpCase("mean along [-2]", [InputSpec([2, 3, 4])]) { $0[0].mean(alongAxes: [-2]) },
    ]

    @Test("reductions", arguments: reductionCases)
    func reductions(_ op: OpCase) { op.check() }

    static let layoutCases: [OpCase] = [
        OpCase("reshaped", [InputSpec([3, 4])]) { $0[0].reshaped(to: [2, 6]) },
        OpCase("reshaped with -1", [InputSpec([2, 3, 4])]) { $0[0].reshaped(to: [-1, 4]) },
        OpCase("permuted [1, 0]", [InputSpec([3, 4])]) { $0[0].permuted([1, 0]) },
        OpCase("permuted [2, 0, 1]", [InputSpec([2, 3, 4])]) { $0[0].permuted([2, 0, 1]) },
        OpCase("permuted [1, 2, 0]", [InputSpec([2, 3, 4])]) { $0[0].permuted([1, 2, 0]) },
        OpCase("transposed rank 2", [InputSpec([3, 5])]) { $0[0].transposed() },
        OpCase("transposed rank 3", [InputSpec([2, 3, 4])]) { $0[0].transposed() },
        OpCase("slice axis 0", [InputSpec([5, 3])]) { $0[0].slice(axis: 0, 1..<4) },
        OpCase("slice axis 1", [InputSpec([3, 5])]) { $0[0].slice(axis: 1, 2..<5) },
        OpCase("slice middle axis", [InputSpec([2, 5, 3])]) { $0[0].slice(axis: 1, 1..<3) },
        OpCase("gatherRows with repeats", [InputSpec([4, 3])]) { $0[0].gatherRows([2, 0, 2, 3, 2]) },
        OpCase("gatherRows rank 3", [InputSpec([3, 2, 2])]) { $0[0].gatherRows([1, 1, 0]) },
        OpCase("concatenate axis 0", [InputSpec([2, 3]), InputSpec([1, 3]), InputSpec([3, 3])]) {
            Variable.concatenate($0, axis: 0)
        },
        OpCase("concatenate axis 1", [InputSpec([3, 2]), InputSpec([3, 4])]) { Variable.concatenate($0, axis: 1) },
        OpCase("concatenate axis 2", [InputSpec([2, 2, 1]), InputSpec([2, 2, 3])]) { Variable.concatenate($0, axis: 2) },
        OpCase("concatenate same input twice", [InputSpec([2, 3])]) { Variable.concatenate([$0[0], $0[0]], axis: 0) },
    ]

    @Test("layout and indexing ops", arguments: layoutCases)
    func layout(_ op: OpCase) { op.check() }

    static let linearAlgebraCases: [OpCase] = [
        OpCase("matmul A * B", [InputSpec([3, 4]), InputSpec([4, 5])]) {
            $0[0].matmul($0[1])
        },
        OpCase("matmul Aᵀ * B", [InputSpec([4, 3]), InputSpec([4, 5])]) {
            $0[0].matmul($0[1], transposeSelf: true)
        },
        OpCase("matmul A * Bᵀ", [InputSpec([3, 4]), InputSpec([5, 4])]) {
            $0[0].matmul($0[1], transposeOther: true)
        },
        OpCase("matmul Aᵀ * Bᵀ", [InputSpec([4, 3]), InputSpec([5, 4])]) {
            $0[0].matmul($0[1], transposeSelf: true, transposeOther: true)
        },
        OpCase("matmul x * x", [InputSpec([4, 4])]) { $0[0].matmul($0[0]) },
        OpCase("matmul xᵀ * x", [InputSpec([3, 4])]) { $0[0].matmul($0[0], transposeSelf: true) },
        OpCase("linear with bias", [InputSpec([5, 4]), InputSpec([3, 4]), InputSpec([3])]) {
            Variable.linear($0[0], weight: $0[1], bias: $0[2])
        },
        OpCase("linear without bias", [InputSpec([5, 4]), InputSpec([3, 4])]) {
            Variable.linear($0[0], weight: $0[1], bias: nil)
        },
        OpCase("linear + fused relu", [InputSpec([5, 4]), InputSpec([3, 4]), InputSpec([3])]) {
            Variable.linear($0[0], weight: $0[1], bias: $0[2], activation: .relu)
        },
        OpCase("linear + fused tanh", [InputSpec([5, 4]), InputSpec([3, 4]), InputSpec([3])]) {
            Variable.linear($0[0], weight: $0[1], bias: $0[2], activation: .tanh)
        },
        OpCase("linear + fused sigmoid, no bias", [InputSpec([5, 4]), InputSpec([3, 4])]) {
            Variable.linear($0[0], weight: $0[1], bias: nil, activation: .sigmoid)
        },
        OpCase("linear, one row", [InputSpec([1, 2]), InputSpec([6, 2]), InputSpec([6])]) {
            Variable.linear($0[0], weight: $0[1], bias: $0[2])
        },
    ]

    @Test("matrix products", arguments: linearAlgebraCases)
    func linearAlgebra(_ op: OpCase) { op.check() }

    static let compositeCases: [OpCase] = [
        OpCase("two-layer network", [InputSpec([4, 3]), InputSpec([5, 3]), InputSpec([5]), InputSpec([2, 5]), InputSpec([2])]) { v in
            let h = Variable.linear(v[0], weight: v[1], bias: v[2]).tanh()
            return Variable.linear(h, weight: v[3], bias: v[4]).logSoftmax().mean()
        },
        OpCase("diamond reuse", [InputSpec([3, 3])]) { v in
            let s = v[0].sigmoid()
            return (s * v[0] + s.exp()).sum(alongAxes: [0]) - v[0].mean()
        },
    ]

    @Test("compositions", arguments: compositeCases)
    func composite(_ op: OpCase) { op.check() }
}

@Suite("The gradient checker itself")
struct GradientCheckerSanityTests {
    /// A custom op `x²` whose pullback forgets the factor 2.
    private static func wrongSquare(_ x: Variable) -> Variable {
        let v = x.value
        return Variable.record(v.squared(), inputs: [x]) { g in [g * v] }
    }

    /// A correct custom `x²`.
    private static func rightSquare(_ x: Variable) -> Variable {
        let v = x.value
        return Variable.record(v.squared(), inputs: [x]) { g in [g * v * 2] }
    }

    @Test func detectsWrongGradient() {
        var rng = RandomGenerator(seed: 3)
        let x = rng.tensor([3, 4], .awayFromZero)
        let report = GradientCheck.run([x]) { Self.wrongSquare($0[0]) }
        #expect(!report.passed)
        #expect(report.mismatches.count == 12, "every entry is off by a factor 2: \(report)")
        #expect(GradientCheck.run([x]) { Self.rightSquare($0[0]) }.passed)
    }

    @Test func detectsSmallGradientError() {
        // A 5% error on a single entry of the Jacobian.
        var rng = RandomGenerator(seed: 4)
        let x = rng.tensor([6], .awayFromZero)
        let report = GradientCheck.run([x]) { v in
            Variable.record(v[0].value * 3, inputs: [v[0]]) { g in
                var d = g * 3
                d.scalars[2] *= 1.05
                return [d]
            }
        }
        #expect(!report.passed)
        #expect(report.mismatches.map(\.index) == [2])
    }

    @Test func detectsWrongGradientOfSecondOperand() {
        var rng = RandomGenerator(seed: 5)
        let inputs = [rng.tensor([2, 3]), rng.tensor([3])]
        // Correct for `a`, but forgets to reduce the broadcast operand: pretends db = first row of g.
        let report = GradientCheck.run(inputs) { v in
            Variable.record(v[0].value + v[1].value, inputs: v) { g in
                [g, g.slice(axis: 0, 0..<1).reshaped(to: [3])]
            }
        }
        #expect(!report.passed)
        #expect(report.mismatches.allSatisfy { $0.input == 1 })
        #expect(report.mismatches.count == 3)
    }

    @Test func detectsMissingGradient() {
        var rng = RandomGenerator(seed: 6)
        let inputs = [rng.tensor([2, 2]), rng.tensor([2, 2])]
        let report = GradientCheck.run(inputs) { v in
            Variable.record(v[0].value * v[1].value, inputs: v) { [b = v[1].value] g in [g * b, nil] }
        }
        #expect(!report.passed)
        #expect(report.missingGradients == [1])
    }

    @Test func inputDomainsStayClearOfKinksAndPoles() {
        // Sanity of the input domain: |x| >= 0.2 leaves room for the ±epsilon steps.
        var rng = RandomGenerator(seed: 8)
        let x = rng.tensor([1000], .awayFromZero)
        #expect(x.scalars.allSatisfy { abs($0) >= 0.2 && abs($0) < 2 })
        #expect(x.scalars.contains { $0 < 0 } && x.scalars.contains { $0 > 0 })
        let p = rng.tensor([1000], .positive)
        #expect(p.scalars.allSatisfy { $0 >= 0.5 })
    }
}
