import PACDistributed
import PACEngine
@testable import PACNN
import PACTestSupport
import Testing

/// Data-parallel training over 2-3 ranks (threads standing in for MPI ranks) against one process:
/// every rank ends with the same bits, frozen entries do not move, and the result agrees with
/// one process's to rounding.
struct DataParallelTests {
    static func images(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "images")
        return rng.uniformTensor(shape: shape, low: -1, high: 1)
    }

    static func labels(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed, stream: "labels")
        return rng.uniformTensor(shape: [rows, columns]).map { $0 < 0.5 ? 0 : 1 }
    }

    /// A small two-head ResNet with a frozen half of its first convolution and head 0 active.
    static func model() -> MultiHeadModel<ResNet> {
        var rng = RandomGenerator(seed: 1, stream: "init")
        let model = MultiHeadModel(backbone: ResNet(blocksPerStage: 1, widths: [4, 8], rng: &rng), headOutputs: [3, 2], rng: &rng)
        let conv = model.backbone.stem.layers[0] as! Conv2d
        conv.weight.updateMask = Tensor(shape: conv.weight.shape, scalars: (0..<conv.weight.value.count).map { Float($0 % 2) })
        return model
    }

    static func bits(_ module: some Module) -> [[UInt32]] { module.stateDict().map { $0.value.scalars.map(\.bitPattern) } }

    static func train(_ model: MultiHeadModel<ResNet>, batch: Int) throws(TrainingError) -> [Double] {
        let x = images([22, 3, 8, 8], seed: 2), y = labels(22, 3, seed: 3)
        var rng = RandomGenerator(seed: 4, stream: "shuffle")
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-2)
        return try Trainer(epochs: 3, batchSize: batch, loss: .bce).fit(model, optimizer: optimizer, inputs: x, targets: y, rng: &rng)
    }

    @Test("a ResNet with batch norm and a frozen half trains alike on every rank and as on one process",
          arguments: [(2, 8), (3, 8), (2, 7)])
    func resnetAgreesWithOneProcess(ranks: Int, batch: Int) throws {
        let single = Self.model()
        let frozen = (single.backbone.stem.layers[0] as! Conv2d).weight.value
        let singleLosses = try Self.train(single, batch: batch)
        let results = try ThreadCluster.run(size: ranks) { world -> ([[UInt32]], [Double], Tensor) in
            let model = Self.model()
            let losses = try DataParallel.training(on: world) { () throws(TrainingError) in try Self.train(model, batch: batch) }
            return (Self.bits(model), losses, (model.backbone.stem.layers[0] as! Conv2d).weight.value)
        }
        // Every rank holds the same bits.
        #expect(results.allSatisfy { $0.0 == results[0].0 })
        // Entries whose update mask is 0 never moved.
        let trained = results[0].2
        for i in stride(from: 0, to: trained.count, by: 2) { #expect(trained.scalars[i].bitPattern == frozen.scalars[i].bitPattern) }
        // Parameters and running statistics agree with one process's to rounding.
        let parallel = Self.model()
        try parallel.loadStateDict(Dictionary(uniqueKeysWithValues: zip(parallel.stateDict().map(\.name), results[0].0.enumerated().map { index, bits in
            Tensor(shape: parallel.stateDict()[index].value.shape, scalars: bits.map(Float.init(bitPattern:)))
        })))
        var largest: Float = 0
        for ((name, a), (_, b)) in zip(single.stateDict(), parallel.stateDict()) where !name.hasSuffix("num_batches_tracked") {
            for (u, v) in zip(a.scalars, b.scalars) { largest = max(largest, abs(u - v) / max(1, abs(u))) }
        }
        #expect(largest < 2e-4, "largest relative difference \(largest)")
        #expect(zip(singleLosses, results[0].1).allSatisfy { abs($0 - $1) < 1e-4 }, "\(singleLosses) vs \(results[0].1)")
        #expect(parallel.stateDict().filter { $0.name.hasSuffix("num_batches_tracked") }.map(\.value) ==
                single.stateDict().filter { $0.name.hasSuffix("num_batches_tracked") }.map(\.value))
    }

    @Test("an MLP with a masked L2 penalty: the penalty counts once")
    func penaltyCountsOnce() throws {
        @Sendable func run(_ world: (any Communicator)?) throws -> [Float] {
            var rng = RandomGenerator(seed: 5, stream: "init")
            let model = MLP(sizes: [3, 8, 2], activation: .relu, rng: &rng)
            let weight = model.parameters()[0]
            let penalty = ParameterPenalty(terms: [.masked(weight, mask: Tensor(shape: weight.shape, scalars: (0..<weight.value.count).map { Float($0 % 3 == 0 ? 1 : 0) }))], strength: 0.5)
            let x = Self.images([10, 3], seed: 6), y = Self.images([10, 2], seed: 7)
            var shuffle = RandomGenerator(seed: 8, stream: "shuffle")
            let trainer = Trainer(epochs: 4, batchSize: 5, loss: .mse, objective: .penalized(by: penalty))
            let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-2)
            if let world {
                try DataParallel.training(on: world) { () throws(TrainingError) in
                    _ = try trainer.fit(model, optimizer: optimizer, inputs: x, targets: y, rng: &shuffle)
                }
            } else {
                _ = try trainer.fit(model, optimizer: optimizer, inputs: x, targets: y, rng: &shuffle)
            }
            return model.parameters().flatMap(\.value.scalars)
        }
        let single = try run(nil)
        let parallel = try ThreadCluster.run(size: 2) { world in try run(world) }
        #expect(parallel[0] == parallel[1])
        #expect(zip(single, parallel[0]).allSatisfy { abs($0 - $1) < 1e-5 * max(1, abs($0)) })
    }

    @Test("the rows of a batch are split contiguously, rank 0 never empty", arguments: [1, 2, 3, 5, 8, 64])
    func shares(count: Int) {
        for size in 1...4 where count >= size {
            let ranges = (0..<size).map { DataParallel.share(of: count, rank: $0, size: size) }
            #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == count && !ranges[0].isEmpty)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
    }

    @Test("synchronized batch normalization over two halves equals it over the whole batch")
    func synchronizedBatchNorm() throws {
        let x = Self.images([6, 3, 4, 4], seed: 9)
        var rng = RandomGenerator(seed: 10, stream: "weights")
        let gamma = rng.uniformTensor(shape: [3], low: 0.5, high: 1.5), beta = rng.uniformTensor(shape: [3], low: -0.5, high: 0.5)
        let w = rng.uniformTensor(shape: x.shape, low: -1, high: 1)
        // The whole batch, one process.
        let (xv, gv, bv) = (Variable(x, requiresGrad: true), Variable(gamma, requiresGrad: true), Variable(beta, requiresGrad: true))
        let whole = Variable.batchNormTraining(xv, gamma: gv, beta: bv, epsilon: 1e-5)
        (whole.output * Variable(w)).sum().backward()
        // Two halves, each rank its 3 images.
        let halves = try ThreadCluster.run(size: 2) { world -> ([Float], [Float], [Float], [Float]) in
            let rows = Array(DataParallel.share(of: 6, rank: world.rank, size: 2))
            let part = Variable(x.gatherRows(rows), requiresGrad: true), g = Variable(gamma, requiresGrad: true), b = Variable(beta, requiresGrad: true)
            let out = Variable.batchNormTrainingSynchronized(part, gamma: g, beta: b, epsilon: 1e-5) { DataParallel.allreduce(&$0, on: world) }
            #expect(out.count == 96)
            (out.output * Variable(w.gatherRows(rows))).sum().backward()
            return (out.output.value.scalars, part.grad!.scalars, g.grad!.scalars, b.grad!.scalars)
        }
        func close(_ a: [Float], _ b: [Float]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 * max(1, abs($0)) } }
        #expect(close(whole.output.value.scalars, halves[0].0 + halves[1].0))
        #expect(close(xv.grad!.scalars, halves[0].1 + halves[1].1))
        #expect(close(gv.grad!.scalars, zip(halves[0].2, halves[1].2).map(+)))
        #expect(close(bv.grad!.scalars, zip(halves[0].3, halves[1].3).map(+)))
    }

    @Test("finite-difference gradients of synchronized batch normalization on one process")
    func synchronizedGradientCheck() {
        var rng = RandomGenerator(seed: 11, stream: "inputs")
        let inputs = [rng.uniformTensor(shape: [3, 2, 2, 2], low: -2, high: 2),
                      rng.uniformTensor(shape: [2], low: 0.5, high: 1.5), rng.uniformTensor(shape: [2], low: -0.5, high: 0.5)]
        let w = rng.uniformTensor(shape: [3, 2, 2, 2], low: -1, high: 1)
        GradientCheck.expectMatch(inputs) { v in
            (Variable.batchNormTrainingSynchronized(v[0], gamma: v[1], beta: v[2], epsilon: 1e-5) { _ in }.output * Variable(w)).sum()
        }
    }
}
