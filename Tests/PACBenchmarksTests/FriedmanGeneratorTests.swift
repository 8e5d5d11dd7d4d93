import Foundation
import PACBenchmarks
import PACEngine
import PACNN
import Testing

/// The `friedman` data generator against the benchmark specification.
struct FriedmanGeneratorTests {
    /// The spec's formula, written out independently of the implementation.
    static func friedman(_ x: [Double], a: [Double], b: [Double], c: [Double]) -> Double {
        func u(_ i: Int) -> Double { b[i] * x[i] + c[i] }
        return a[0] * 10 * sin(Double.pi * u(0) * u(1))
            + a[1] * 20 * (u(2) - 0.5) * (u(2) - 0.5)
            + a[2] * 10 * u(3)
            + a[3] * 5 * u(4)
    }

    static func response(_ coefficients: FriedmanCoefficients, _ row: [Float]) -> Double {
        row.withUnsafeBufferPointer { coefficients.response($0.baseAddress!) }
    }

    /// Mean and population standard deviation.
    static func moments(_ values: [Double]) -> (mean: Double, std: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }

    /// `y - response(x)` for every row.
    static func residuals(_ data: Dataset, _ coefficients: FriedmanCoefficients) -> [Double] {
        data.inputs.withUnsafePointer { x in
            (0..<data.count).map { i in Double(data.targets.scalars[i]) - coefficients.response(x + 10 * i) }
        }
    }

    @Test func sourceCoefficientsAreTheStandardFriedman1() {
        #expect(FriedmanCoefficients.source.a == [1, 1, 1, 1])
        #expect(FriedmanCoefficients.source.b == [1, 1, 1, 1, 1])
        #expect(FriedmanCoefficients.source.c == [0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        [Float](repeating: 0, count: 10),
        [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        [0.1, 0.9, 0.25, 0.75, 0.3, 0.99, 0.01, 0.4, 0.6, 0.2],
        [0.99, 0.98, 0.0, 1.0, 0.123, 0, 0, 0, 0, 0],
    ] as [[Float]])
    func sourceResponseIsFriedman1(row: [Float]) {
        let x = row.map(Double.init)
        let expected = 10 * sin(Double.pi * x[0] * x[1]) + 20 * (x[2] - 0.5) * (x[2] - 0.5) + 10 * x[3] + 5 * x[4]
        #expect(abs(Self.response(.source, row) - expected) <= 1e-12)
    }

    @Test func sourceResponseAtHandComputedPoints() {
        // x1 = x2 = sqrt(1/2): sin(pi/2) = 1 -> 10; x3 = 0 -> 20 * 0.25 = 5; x4 = 0.5 -> 5; x5 = 1 -> 5.
        let h = Float(0.5.squareRoot())
        let value = Self.response(.source, [h, h, 0, 0.5, 1, 0.3, 0.3, 0.3, 0.3, 0.3])
        // h is rounded to Float, so pi * h^2 is pi/2 up to ~1e-7 and sin is flat there.
        #expect(abs(value - 25) < 1e-6)
        #expect(Self.response(.source, [Float](repeating: 0, count: 10)) == 5) // only 20 * (0 - 0.5)^2
    }

    @Test func responseIgnoresInputsSixToTen() {
        let base: [Float] = [0.2, 0.4, 0.6, 0.8, 0.1, 0, 0, 0, 0, 0]
        let noisy: [Float] = [0.2, 0.4, 0.6, 0.8, 0.1, 0.9, 0.7, 0.5, 0.3, 0.99]
        #expect(Self.response(.source, base) == Self.response(.source, noisy))
    }

    @Test func targetResponseUsesEveryCoefficientAsSpecified() {
        var coefficients = FriedmanCoefficients.source
        coefficients.a = [1.1, 0.9, 1.05, 0.8]
        coefficients.b = [0.95, 1.1, 0.9, 1.2, 1.02]
        coefficients.c = [0.03, -0.02, 0.05, -0.04, 0.01]
        let row: [Float] = [0.3, 0.7, 0.2, 0.6, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5]
        let expected = Self.friedman(row.map(Double.init), a: coefficients.a, b: coefficients.b, c: coefficients.c)
        #expect(abs(Self.response(coefficients, row) - expected) <= 1e-12)
    }

    @Test func samplesHaveSpecifiedShapesAndInputRange() {
        var task = FriedmanTask()
        task.sourceTrainCount = 123
        task.testCount = 77
        let data = task.makeData(seed: 3, targetPoolSize: 41)
        for (set, n) in [(data.sourceTrain, 123), (data.sourceTest, 77), (data.targetTrain, 41), (data.targetTest, 77)] {
            #expect(set.inputs.shape == [n, 10])
            #expect(set.targets.shape == [n, 1])
            #expect(set.inputs.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
            #expect(set.targets.isFinite)
        }
    }

    @Test func defaultsFollowTheSpecification() {
        let task = FriedmanTask()
        #expect(task.name == "friedman")
        #expect(task.metrics == ["rmse"])
        #expect(task.higherIsBetter == false)
        #expect(task.sourceTrainCount == 10_000)
        #expect(task.testCount == 10_000)
        #expect(task.hiddenSizes == [100, 100, 100])
        #expect(task.defaultTargetSizes == [10, 20, 50, 100, 200])
    }

    @Test func inputsAreRoughlyUniform() {
        var rng = RandomGenerator(seed: 11)
        let data = FriedmanCoefficients.sample(count: 10_000, coefficients: .source, rng: &rng)
        let (mean, std) = Self.moments(data.inputs.scalars.map(Double.init))
        #expect(abs(mean - 0.5) < 0.01)
        #expect(abs(std - (1.0 / 12).squareRoot()) < 0.01)
    }

    @Test func sourceNoiseIsStandardNormal() {
        var rng = RandomGenerator(seed: 7)
        let data = FriedmanCoefficients.sample(count: 10_000, coefficients: .source, rng: &rng)
        let (mean, std) = Self.moments(Self.residuals(data, .source))
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 1) < 0.05)
    }

    @Test func targetNoiseIsStandardNormalAroundTheTargetFunction() {
        var coefficientRNG = RandomGenerator(seed: 5, stream: "coefficients")
        let target = FriedmanCoefficients.randomTarget(rng: &coefficientRNG)
        var rng = RandomGenerator(seed: 5)
        let data = FriedmanCoefficients.sample(count: 10_000, coefficients: target, rng: &rng)
        let (mean, std) = Self.moments(Self.residuals(data, target))
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 1) < 0.05)
    }

    @Test func makeDataSourceSetsFollowTheSourceFunction() {
        var task = FriedmanTask()
        task.sourceTrainCount = 10_000
        task.testCount = 10
        let data = task.makeData(seed: 2, targetPoolSize: 10)
        let (mean, std) = Self.moments(Self.residuals(data.sourceTrain, .source))
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 1) < 0.05)
    }

    /// The target sets are not the source function: their squared error against the source response
    /// exceeds the noise variance of 1 (a target drawn from the source would give 1 +- 0.02).
    @Test(arguments: [0, 1, 2] as [UInt64])
    func makeDataTargetIsADifferentFunction(seed: UInt64) {
        var task = FriedmanTask()
        task.sourceTrainCount = 10
        task.testCount = 10_000
        let data = task.makeData(seed: seed, targetPoolSize: 10)
        let meanSquare = Self.residuals(data.targetTest, .source).reduce(0) { $0 + $1 * $1 } / 10_000
        #expect(meanSquare > 1.1)
    }

    @Test func targetCoefficientsDifferPerSeed() {
        let drawn = (0..<20).map { seed -> FriedmanCoefficients in
            var rng = RandomGenerator(seed: UInt64(seed), stream: "per-seed-check")
            return FriedmanCoefficients.randomTarget(rng: &rng)
        }
        for i in drawn.indices {
            #expect(drawn[i].a.count == 4 && drawn[i].b.count == 5 && drawn[i].c.count == 5)
            #expect(drawn[i] != .source)
            for j in drawn.indices where j > i { #expect(drawn[i] != drawn[j]) }
        }
    }

    @Test func targetCoefficientsFollowTheSpecifiedDistributions() {
        var a: [Double] = [], b: [Double] = [], c: [Double] = []
        for seed in 0..<2000 as Range<UInt64> {
            var rng = RandomGenerator(seed: seed, stream: "distribution-check")
            let t = FriedmanCoefficients.randomTarget(rng: &rng)
            a += t.a; b += t.b; c += t.c
        }
        let (aMean, aStd) = Self.moments(a)
        let (bMean, bStd) = Self.moments(b)
        let (cMean, cStd) = Self.moments(c)
        #expect(abs(aMean - 1) < 0.01 && abs(aStd - 0.1) < 0.01)
        #expect(abs(bMean - 1) < 0.01 && abs(bStd - 0.1) < 0.01)
        #expect(abs(cMean) < 0.005 && abs(cStd - 0.05) < 0.005)
    }

    @Test func sameSeedGivesIdenticalData() {
        var task = FriedmanTask()
        task.sourceTrainCount = 200
        task.testCount = 200
        let first = task.makeData(seed: 9, targetPoolSize: 30)
        let second = task.makeData(seed: 9, targetPoolSize: 30)
        let other = task.makeData(seed: 10, targetPoolSize: 30)
        for (x, y) in [(first.sourceTrain, second.sourceTrain), (first.sourceTest, second.sourceTest),
                       (first.targetTrain, second.targetTrain), (first.targetTest, second.targetTest)] {
            #expect(x.inputs == y.inputs)
            #expect(x.targets == y.targets)
        }
        #expect(first.sourceTrain.inputs != other.sourceTrain.inputs)
        #expect(first.targetTrain.targets != other.targetTrain.targets)
    }

    /// Smaller target sets are prefixes of larger ones, and nothing else depends on the pool size.
    @Test func targetPoolsAreNested() {
        var task = FriedmanTask()
        task.sourceTrainCount = 100
        task.testCount = 100
        let small = task.makeData(seed: 4, targetPoolSize: 50)
        let large = task.makeData(seed: 4, targetPoolSize: 200)
        #expect(large.targetTrain.count == 200)
        #expect(small.targetTrain.inputs == large.targetTrain.prefix(50).inputs)
        #expect(small.targetTrain.targets == large.targetTrain.prefix(50).targets)
        #expect(small.sourceTrain.inputs == large.sourceTrain.inputs && small.sourceTrain.targets == large.sourceTrain.targets)
        #expect(small.sourceTest.targets == large.sourceTest.targets)
        #expect(small.targetTest.inputs == large.targetTest.inputs && small.targetTest.targets == large.targetTest.targets)
    }
}
