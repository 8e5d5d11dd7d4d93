import PACEngine
import PACNN
import PACNet

/// The workloads of `pacnet bench`, mirrored by `bench/torch_twin.py` so the two engines can be
/// compared in one run on one machine.
public enum SpeedBenchmarks {
    /// GFLOP/s (`2 n^3` flops per call) of an `n x n` by `n x n` product on each backend, sampled
    /// in turn (`Timing.secondsPerCall(alternating:)`): `rounds[r][i]` is backend `i`'s rate in
    /// round `r`, so backends compare round by round under the same machine speed.
    public static func gemm(size n: Int, backends: [GEMMBackend]) -> [[Double]] {
        var rng = RandomGenerator(seed: 1, stream: "bench/gemm")
        let a = rng.uniformTensor(shape: [n, n], low: -1, high: 1)
        let b = rng.uniformTensor(shape: [n, n], low: -1, high: 1)
        var c = Tensor(zeros: [n, n])
        let rounds = a.withUnsafePointer { pa in
            b.withUnsafePointer { pb in
                c.withUnsafeMutablePointer { pc in
                    Timing.secondsPerCall(alternating: backends.map { backend in {
                        GEMM.multiply(transposeA: false, transposeB: false, m: n, n: n, k: n, a: pa, lda: n,
                                      b: pb, ldb: n, c: pc, ldc: n, backend: backend)
                    } })
                }
            }
        }
        return rounds.map { $0.map { 2 * Double(n * n * n) / $0 / 1e9 } }
    }

    /// Microseconds of one Adam training step (forward, backward, update) of the `friedman` MLP
    /// on a batch of `batch` rows.
    public static func mlpStep(batch: Int) -> Double {
        var rng = RandomGenerator(seed: 2, stream: "bench/mlp")
        let model = FriedmanTask().makeNetwork(rng: &rng)
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        let x = rng.uniformTensor(shape: [batch, 10])
        let y = rng.normalTensor(shape: [batch, 1])
        return 1e6 * Timing.secondsPerCall {
            optimizer.zeroGrad()
            let loss = meanSquaredError(model(Variable(x)), y)
            loss.backward()
            optimizer.step()
        }
    }

    /// Microseconds of one Adam training step (zero grad, forward in training mode, BCE with
    /// logits against random 0/1 targets, backward, update) of the `shapes` ResNet-8 with one
    /// 8-way head, on random `[batch, 3, 32, 32]` inputs.
    public static func resnetStep(batch: Int) -> Double {
        var rng = RandomGenerator(seed: 3, stream: "bench/resnet")
        let model = MultiHeadModel(backbone: ResNet(rng: &rng), headOutputs: [8], rng: &rng)
        return imageStep(model, inputShape: [batch, 3, 32, 32], rng: &rng)
    }

    /// Microseconds of one Adam step of `model` in training mode on random inputs of
    /// `inputShape` against random 0/1 targets of 8 attributes (BCE with logits).
    private static func imageStep(_ model: some Layer, inputShape: [Int], rng: inout RandomGenerator) -> Double {
        model.setTraining(true)
        let optimizer = Adam(parameters: model.parameters(), learningRate: 1e-3)
        let x = rng.uniformTensor(shape: inputShape)
        let y = rng.uniformTensor(shape: [inputShape[0], 8]).map { $0 < 0.5 ? 0 : 1 }
        return 1e6 * Timing.secondsPerCall {
            optimizer.zeroGrad()
            let loss = binaryCrossEntropyWithLogits(model(Variable(x)), y)
            loss.backward()
            optimizer.step()
        }
    }

    /// Microseconds of one Adam training step (zero grad, forward in training mode, BCE with
    /// logits against random 0/1 targets, backward, update) of torchvision's ResNet-18 layout
    /// (ImageNet stem, blocks 2-2-2-2 at 64/128/256/512 channels) with one 8-way head, on random
    /// `[batch, 3, 64, 64]` inputs.
    public static func resnet18Step(batch: Int) -> Double {
        var rng = RandomGenerator(seed: 4, stream: "bench/resnet18")
        let model = resnet18(rng: &rng)
        return imageStep(model, inputShape: [batch, 3, 64, 64], rng: &rng)
    }

    /// Microseconds of inference (`MultiHeadModel.predict`: evaluation mode, no graph) of the
    /// `resnet18_step` network on `images` random `[3, 64, 64]` images in one batch, the way
    /// `pacnet predict` and `evaluate` run image batches.
    public static func resnet18Predict(images: Int) -> Double {
        var rng = RandomGenerator(seed: 5, stream: "bench/resnet18_predict")
        let model = resnet18(rng: &rng)
        let x = rng.uniformTensor(shape: [images, 3, 64, 64])
        return 1e6 * Timing.secondsPerCall { _ = model.predict(x, head: 0) }
    }

    /// The `resnet18_step` network: torchvision's `resnet18(num_classes=8)` layout.
    public static func resnet18(rng: inout RandomGenerator) -> MultiHeadModel<ResNet> {
        MultiHeadModel(backbone: ResNet(blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], inChannels: 3, stem: .imagenet, rng: &rng),
                       headOutputs: [8], rng: &rng)
    }

    /// Seconds of the cross-validated choice of PAC-Net's ratio and lambda (20 candidates x 5
    /// folds) for `friedman` seed 0 at n_target 50, with the fold trainings on `workers` threads.
    /// The source training and the allocations of the four ratios happen before the clock starts.
    /// With `graph`, the fold trainings run through the autodiff graph instead of
    /// `MLPTrainingRun` (the same bits either way).
    public static func selection(workers: Int, graph: Bool = false) throws -> Double {
        let task = FriedmanTask()
        let data = task.makeData(seed: 0, targetPoolSize: 50)
        var rng = RandomGenerator(seed: 0, stream: "bench/selection")
        let source = task.makeNetwork(rng: &rng)
        let schedules = StageSchedules.tabular
        try schedules.source(rows: data.sourceTrain.count).train(source, on: data.sourceTrain, loss: task.loss, rng: &rng)
        var pipeline = TransferPipeline(source: source, sourceData: data.sourceTrain, loss: task.loss, schedules: schedules)
        pipeline.selection.workers = workers
        try pipeline.allocate(pipeline.selection.ratios, seed: 0, stream: "bench/allocate")
        let selection = pipeline.selection
        let saved = Trainer.runsMLPsWithoutGraph
        Trainer.runsMLPsWithoutGraph = !graph
        defer { Trainer.runsMLPsWithoutGraph = saved }
        return try Timing.seconds {
            _ = try selection.select(.pacnet(ratio: .auto, lambda: .auto), in: pipeline, target: data.targetTrain, seed: 0, stream: "bench/select")
        }
    }

    /// Seconds for one seed of the whole `friedman` benchmark with n_target 10, 50, 200 and the
    /// four methods, on one core.
    public static func friedmanPipeline() throws -> Double {
        var config = ExperimentConfiguration()
        config.seeds = [0]
        config.targetSizes = [10, 50, 200]
        config.parallelSeeds = 1
        let experiment = try TransferExperiment(task: FriedmanTask(), configuration: config)
        return try Timing.seconds { try experiment.run() }
    }
}
