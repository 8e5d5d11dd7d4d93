import PACEngine
import Testing

/// Finite-difference gradient checking for `Variable` operations, shared by the test targets.
///
/// For a function `f` of the input variables, the checker uses the scalar objective
/// `L(x) = sum(f(x) * W)` with fixed random weights `W` of the output's shape, so every entry of
/// the Jacobian contributes. The analytic gradient `dL/dx = Jᵀ W` comes from
/// `f(x).backward(seed: W)`; the numeric one from central differences of `L`, evaluated in
/// `Double` from the `Float` outputs.
public enum GradientCheck {
    /// One input entry whose analytic and numeric derivatives disagree.
    public struct Mismatch: CustomStringConvertible {
        public let input: Int
        public let index: Int
        public let analytic: Float
        public let numeric: Float
        public var description: String { "input \(input)[\(index)]: analytic \(analytic), numeric \(numeric)" }
    }

    public struct Report: CustomStringConvertible {
        /// Number of input entries compared.
        public internal(set) var checked = 0
        /// Inputs that received no gradient at all (`grad == nil`) although they require one.
        public internal(set) var missingGradients: [Int] = []
        public internal(set) var mismatches: [Mismatch] = []
        /// The largest `|analytic - numeric| / (atol + rtol * max(|analytic|, |numeric|))`; <= 1 passes.
        public internal(set) var worstRatio: Float = 0

        public var passed: Bool { checked > 0 && mismatches.isEmpty && missingGradients.isEmpty }

        public var description: String {
            var parts = ["checked \(checked) entries, worst error/tolerance \(worstRatio)"]
            if !missingGradients.isEmpty { parts.append("no gradient for inputs \(missingGradients)") }
            parts += mismatches.prefix(5).map(\.description)
            if mismatches.count > 5 { parts.append("... \(mismatches.count - 5) more mismatches") }
            return parts.joined(separator: "; ")
        }
    }

    /// Compares analytic and numeric gradients of `sum(f(inputs) * W)` for every entry of every input.
    public static func run(
        _ inputs: [Tensor],
        epsilon: Float = 1e-2,
        absoluteTolerance: Float = 1e-3,
        relativeTolerance: Float = 1e-2,
        weightSeed: UInt64 = 0xC0FFEE,
        _ f: ([Variable]) -> Variable
    ) -> Report {
        // Analytic gradients.
        let variables = inputs.map { Variable($0, requiresGrad: true) }
        let output = f(variables)
        var weightRNG = RandomGenerator(seed: weightSeed, stream: "gradient-check-weights")
        let weights = weightRNG.uniformTensor(shape: output.shape, low: -1, high: 1)
        output.backward(seed: weights)

        func objective(_ values: [Tensor]) -> Double {
            let y = GradientMode.withoutGradients { f(values.map { Variable($0) }).value }
            precondition(y.shape == weights.shape, "output shape changed between evaluations")
            var total = 0.0
            for (a, w) in zip(y.scalars, weights.scalars) { total += Double(a) * Double(w) }
            return total
        }

        var report = Report()
        for (inputIndex, input) in inputs.enumerated() {
            let grad = variables[inputIndex].grad
            if grad == nil { report.missingGradients.append(inputIndex) }
            if let grad { precondition(grad.shape == input.shape, "gradient \(grad.shape) for input \(input.shape)") }
            for j in 0..<input.count {
                var plus = inputs, minus = inputs
                plus[inputIndex].scalars[j] = input.scalars[j] + epsilon
                minus[inputIndex].scalars[j] = input.scalars[j] - epsilon
                // The step actually taken after rounding to Float.
                let h = Double(plus[inputIndex].scalars[j]) - Double(minus[inputIndex].scalars[j])
                let numeric = Float((objective(plus) - objective(minus)) / h)
                let analytic = grad?.scalars[j] ?? 0
                let tolerance = absoluteTolerance + relativeTolerance * max(abs(analytic), abs(numeric))
                let error = abs(analytic - numeric)
                report.worstRatio = max(report.worstRatio, error.isNaN ? .infinity : error / tolerance)
                if !(error <= tolerance) {
                    report.mismatches.append(Mismatch(input: inputIndex, index: j, analytic: analytic, numeric: numeric))
                }
                report.checked += 1
            }
        }
        return report
    }

    /// Runs the check and records a test issue (at the caller's location) when it fails.
    public static func expectMatch(
        _ inputs: [Tensor],
        epsilon: Float = 1e-2,
        _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ f: ([Variable]) -> Variable
    ) {
        let report = run(inputs, epsilon: epsilon, f)
        #expect(report.passed, "\(comment.map { "\($0): " } ?? "")\(report)", sourceLocation: sourceLocation)
    }
}

/// How test inputs are drawn.
public enum InputDomain: Sendable {
    /// Uniform in [-2, 2).
    case any
    /// |x| in [0.2, 2): keeps relu, division and the like away from their kinks and poles.
    case awayFromZero
    /// Uniform in [0.5, 2.5): for log and sqrt.
    case positive
}

/// The shape and domain of one random input.
public struct InputSpec: Sendable, CustomStringConvertible {
    public let shape: [Int]
    public let domain: InputDomain
    public init(_ shape: [Int], _ domain: InputDomain = .any) {
        self.shape = shape
        self.domain = domain
    }
    public var description: String { "\(shape)" }
}

extension RandomGenerator {
    /// A random tensor from `domain`.
    public mutating func tensor(_ shape: [Int], _ domain: InputDomain = .any) -> Tensor {
        switch domain {
        case .any:
            return uniformTensor(shape: shape, low: -2, high: 2)
        case .positive:
            return uniformTensor(shape: shape, low: 0.5, high: 2.5)
        case .awayFromZero:
            return Tensor(shape: shape, generating: { _ in
                let magnitude = self.uniform(0.2, 2)
                return self.uniform() < 0.5 ? -magnitude : magnitude
            })
        }
    }

    public mutating func tensors(_ specs: [InputSpec]) -> [Tensor] { specs.map { tensor($0.shape, $0.domain) } }
}
