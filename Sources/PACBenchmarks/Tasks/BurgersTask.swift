import PACNet
import PACEngine
import PACNN
import PACNumerics

/// The `burgers` PDE task of the benchmark specification.
///
/// Viscous Burgers `u_t + u u_x = nu u_xx` on x in [-1, 1], t in [0, 1], `u(x, 0) = -sin(pi x)`,
/// zero boundary values; source nu = 0.05, target nu = 0.02. Ground truth from `BurgersSolver` on
/// the 256 x 101 (x, t) grid. Learn `(x, t) -> u`. Source: 10,000 grid points for training (a
/// seeded sample without replacement), the other 15,856 for test. Target: `n_target` grid points
/// (prefixes of one seeded sample), tested on the whole target grid. Network: MLP 2-100-100-100-1
/// with tanh. Score: relative L2 error `||u_pred - u|| / ||u||` on the test points.
public struct BurgersTask: TransferTask {
    public let name = "burgers"
    public let metrics = ["rel_l2"]
    public let higherIsBetter = false
    public let loss = Loss.mse
    public let defaultTargetSizes = [50, 200, 1000]
    public var sourceViscosity = 0.05
    public var targetViscosity = 0.02
    public var sourceTrainCount = 10_000
    public var hiddenSizes = [100, 100, 100]

    public init() {}

    public func makeData(seed: UInt64, targetPoolSize: Int) -> TransferData {
        let source = Self.grid(BurgersSolver().solve(nu: sourceViscosity))
        let target = Self.grid(BurgersSolver().solve(nu: targetViscosity))
        var sourceRNG = RandomGenerator(seed: seed, stream: "burgers/source-split")
        let sourceOrder = sourceRNG.permutation(source.count)
        precondition(sourceTrainCount < source.count, "burgers: \(sourceTrainCount) training points of \(source.count)")
        var targetRNG = RandomGenerator(seed: seed, stream: "burgers/target-sample")
        let targetOrder = targetRNG.permutation(target.count)
        return TransferData(
            sourceTrain: source.rows(Array(sourceOrder[..<sourceTrainCount])),
            sourceTest: source.rows(Array(sourceOrder[sourceTrainCount...])),
            targetTrain: target.rows(Array(targetOrder[..<min(targetPoolSize, target.count)])),
            targetTest: target)
    }

    public func makeNetwork(rng: inout RandomGenerator) -> MLP {
        MLP(sizes: [2] + hiddenSizes + [1], activation: .tanh, rng: &rng)
    }

    public func scores(_ model: MLP, side: TaskSide, data: TransferData) -> [Double] {
        let test = data.test(side)
        return [Self.relativeL2(model.predict(test.inputs, batchSize: 4096), test.targets)]
    }

    /// `||prediction - truth|| / ||truth||`, accumulated in Double.
    public static func relativeL2(_ prediction: Tensor, _ truth: Tensor) -> Double {
        precondition(prediction.shape == truth.shape, "relativeL2: \(prediction.shape) vs \(truth.shape)")
        var error = 0.0, norm = 0.0
        prediction.withUnsafePointer { p in
            truth.withUnsafePointer { t in
                for i in 0..<truth.count {
                    let d = Double(p[i]) - Double(t[i])
                    error += d * d
                    norm += Double(t[i]) * Double(t[i])
                }
            }
        }
        return (error / max(norm, .leastNonzeroMagnitude)).squareRoot()
    }

    /// Every grid point as a sample: inputs `(x, t)`, target `u(x, t)`, x-major order.
    public static func grid(_ solution: BurgersSolution) -> Dataset {
        let nx = solution.x.count, nt = solution.t.count
        var inputs = [Float](), values = [Float]()
        inputs.reserveCapacity(2 * nx * nt)
        values.reserveCapacity(nx * nt)
        for i in 0..<nx {
            for k in 0..<nt {
                inputs += [Float(solution.x[i]), Float(solution.t[k])]
                values.append(Float(solution[i, k]))
            }
        }
        return Dataset(inputs: Tensor(shape: [nx * nt, 2], scalars: inputs), targets: Tensor(shape: [nx * nt, 1], scalars: values))
    }
}
