import Foundation
import PACEngine
import PACNN
import PACNet

/// The `friedman` regression task of the benchmark specification.
///
/// `y = a1*10*sin(pi*(b1*x1+c1)*(b2*x2+c2)) + a2*20*(b3*x3+c3-0.5)^2 + a3*10*(b4*x4+c4)
///    + a4*5*(b5*x5+c5) + e`, `x ~ U[0,1]^10`, `e ~ N(0,1)` (test targets are noisy too, so the
/// best achievable RMSE is about 1). Source: the standard Friedman #1 (a = b = 1, c = 0), 10,000
/// training and 10,000 test samples. Target, per seed: `a_i, b_i ~ N(1, 0.1^2)`,
/// `c_i ~ N(0, 0.05^2)`; up to the largest requested `n_target` training samples and 10,000
/// test samples. Network: MLP 10-100-100-100-1 with ReLU.
public struct FriedmanTask: TransferTask {
    public let name = "friedman"
    public let metrics = ["rmse"]
    public let higherIsBetter = false
    public let loss = Loss.mse
    public let defaultTargetSizes = [10, 20, 50, 100, 200]
    /// The four methods of the original comparison (`freeze` and `packnet` on request).
    public let defaultMethods = TransferMethod.core
    public var sourceTrainCount = 10_000
    public var testCount = 10_000
    public var hiddenSizes = [100, 100, 100]

    public init() {}

    public func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData {
        var coefficientRNG = RandomGenerator(seed: seed, stream: "friedman/target-coefficients")
        let target = FriedmanCoefficients.randomTarget(rng: &coefficientRNG)
        func sample(_ count: Int, _ coefficients: FriedmanCoefficients, _ stream: String) -> Dataset {
            var rng = RandomGenerator(seed: seed, stream: "friedman/\(stream)")
            return FriedmanCoefficients.sample(count: count, coefficients: coefficients, rng: &rng)
        }
        return TransferData(
            sourceTrain: sample(sourceTrainCount, .source, "source-train"),
            sourceTest: sample(testCount, .source, "source-test"),
            targetTrain: sample(targetPoolSize, target, "target-train"),
            targetTest: sample(testCount, target, "target-test"))
    }

    public func makeNetwork(rng: inout RandomGenerator) -> MLP {
        MLP(sizes: [10] + hiddenSizes + [1], activation: .relu, rng: &rng)
    }

    public func scores(_ model: MLP, side: TaskSide, data: TransferData) -> [Double] {
        let test = data.test(side)
        return [rootMeanSquaredError(model.predict(test.inputs, batchSize: 2048), test.targets)]
    }
}

/// The coefficients of a Friedman #1 variant.
public struct FriedmanCoefficients: Sendable, Equatable {
    /// Amplitudes a1...a4.
    public var a: [Double]
    /// Input scales b1...b5.
    public var b: [Double]
    /// Input shifts c1...c5.
    public var c: [Double]

    /// The standard Friedman #1 function (a = b = 1, c = 0).
    public static let source = FriedmanCoefficients(a: [1, 1, 1, 1], b: [1, 1, 1, 1, 1], c: [0, 0, 0, 0, 0])

    /// A target variant: `a_i, b_i ~ N(1, 0.1^2)`, `c_i ~ N(0, 0.05^2)`, drawn in that order.
    public static func randomTarget(rng: inout RandomGenerator) -> FriedmanCoefficients {
        let a = (0..<4).map { _ in rng.normal(mean: 1, standardDeviation: 0.1) }
        let b = (0..<5).map { _ in rng.normal(mean: 1, standardDeviation: 0.1) }
        let c = (0..<5).map { _ in rng.normal(mean: 0, standardDeviation: 0.05) }
        return FriedmanCoefficients(a: a, b: b, c: c)
    }

    /// The noise-free response at one input row of 10 features.
    public func response(_ x: UnsafePointer<Float>) -> Double {
        func u(_ i: Int) -> Double { b[i] * Double(x[i]) + c[i] }
        return a[0] * 10 * Foundation.sin(Double.pi * u(0) * u(1))
            + a[1] * 20 * (u(2) - 0.5) * (u(2) - 0.5)
            + a[2] * 10 * u(3)
            + a[3] * 5 * u(4)
    }

    /// `count` samples: inputs `[count, 10]` ~ U[0,1), targets `[count, 1]` with N(0,1) noise.
    /// Each row's inputs and noise are drawn together, row by row, so the first `k` samples are the
    /// same whatever `count` is (smaller target pools are prefixes of larger ones).
    public static func sample(count: Int, coefficients: FriedmanCoefficients, rng: inout RandomGenerator) -> Dataset {
        var inputs = [Float](repeating: 0, count: count * 10)
        var targets = [Float](repeating: 0, count: count)
        inputs.withUnsafeMutableBufferPointer { x in
            for i in 0..<count {
                for j in 0..<10 { x[10 * i + j] = rng.uniform() }
                targets[i] = Float(coefficients.response(UnsafePointer(x.baseAddress! + 10 * i)) + rng.normal())
            }
        }
        return Dataset(inputs: Tensor(shape: [count, 10], scalars: inputs), targets: Tensor(shape: [count, 1], scalars: targets))
    }
}
