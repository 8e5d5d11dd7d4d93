import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// Several tasks in one model file: `Workflow.addTask` keeps every earlier task exact, the file
/// round-trips (owners, copies, the `pacnet.chain` metadata) and its chain tensors and metadata
/// are checked like everything else.
struct ChainWorkflowTests {
    static let options = TrainingOptions(epochs: 3, batchSize: 16, learningRate: 1e-2, seed: 3)

    /// source -> target -> t2 (own biases) -> t3 on the tiny MLP pipeline.
    static func chain() throws -> (TinyPipeline, [LabeledData], ModelFile, ModelFile) {
        let pipeline = try TinyPipeline()
        let second = regressionData(rows: 32, seed: 4, offset: -0.3, scale: 0.6, targetName: "u")
        let third = regressionData(rows: 32, seed: 5, offset: 0.2, scale: 1.2, targetName: "v")
        let schedules = try options.targetSchedules()
        let (two, _) = try Workflow.addTask(pipeline.calibrated, name: "t2", data: second, previous: pipeline.target, keep: 0.5, lambda: .fixed(0.01),
                                            settings: TargetSettings(freedom: .ownBiases), schedules: schedules, options: options)
        let (three, _) = try Workflow.addTask(two, name: "t3", data: third, previous: second, keep: 0.5, lambda: .fixed(0.01),
                                              schedules: schedules, options: options)
        return (pipeline, [pipeline.source, pipeline.target, second, third], two, three)
    }

    @Test func everyEarlierTaskStaysExactAndTheFileRoundTrips() throws {
        let (pipeline, data, two, three) = try Self.chain()
        let probe = pipeline.source.inputs
        func predictions(_ file: ModelFile, _ task: String) throws -> [UInt32] { bits(try file.model(forTask: task).predict(probe)) }
        #expect(try predictions(three, "source") == predictions(pipeline.calibrated, "source"))
        #expect(try predictions(three, "target") == predictions(two, "target"))
        #expect(try predictions(three, "t2") != predictions(two, "t2"), "t2 was released for t3")
        #expect(three.taskNames == ["source", "target", "t2", "t3"])
        #expect(three.chainTasks.map(\.freedom) == [.ownBiases, .prunedWeights] && three.chainTasks.map(\.targets) == [["u"], ["v"]])
        // t2 trained its own biases: the source and the target keep theirs.
        #expect(!three.sourceCopies.isEmpty && three.targetCopies["target"] != nil && three.targetCopies["t2"] == nil)
        let owned = try #require(three.ownedCounts)
        #expect(owned.allSatisfy { $0 > 0 } && owned.reduce(0, +) == three.masks!.totalCount && owned[0] == three.masks!.keptCount)
        try withScratchDirectory { directory in
            let path = (directory as NSString).appendingPathComponent("chain.safetensors")
            try three.save(to: path, overwrite: false)
            let loaded = try ModelFile.load(path: path)
            #expect(loaded.taskNames == three.taskNames && loaded.chainTasks == three.chainTasks && loaded.ownedCounts == owned)
            for (task, rows) in zip(loaded.taskNames, data) {
                #expect(try predictions(loaded, task) == predictions(three, task))
                #expect(try Workflow.evaluate(loaded, data: rows, task: task) == Workflow.evaluate(three, data: rows, task: task))
            }
            let names = three.safetensors.tensors.map(\.name)
            #expect(names.contains("layers.0.weight_task") && names.contains("layers.0.bias_source") && names.contains("layers.0.bias_target"))
            #expect(three.safetensors.metadata["pacnet.tasks"] == "source,target,t2,t3")
        }
    }

    @Test func aResNetChainGetsAHeadPerTask() throws {
        try withScratchDirectory { directory in
            func load(_ rows: Int, _ seed: UInt64, _ columns: [Int], _ prefix: String) throws -> LabeledData {
                let (images, labels) = try writeImageFiles(rows: rows, seed: seed, columns: columns, prefix: prefix, in: directory)
                return try LabeledData.load(DataSpec(path: images, labelsPath: labels, targets: [], loss: .bce, layout: .images))
            }
            let source = try load(24, 1, [0, 1], "s"), target = try load(12, 2, [2], "t"), second = try load(12, 3, [0, 2], "u")
            let options = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 3)
            let (trained, _) = try Workflow.train(data: source, architecture: tinyResNet, loss: .bce, options: options, standardize: false)
            let (allocated, _) = try Workflow.allocate(try Workflow.prune(trained, pruning: MagnitudePruning(ratio: 0.5)), data: source, options: options)
            let (calibrated, _) = try Workflow.calibrate(allocated, data: target, lambda: .fixed(0.01), schedules: try options.targetSchedules(), options: options)
            let (chain, report) = try Workflow.addTask(calibrated, name: "t2", data: second, previous: target, keep: 0.5, lambda: .fixed(0.01),
                                                       schedules: try options.targetSchedules(), options: options)
            #expect(chain.architecture.description.hasSuffix("heads=2,1,2"))
            #expect(try chain.model(forTask: "t2").predict(second.inputs).shape == [12, 2])
            #expect(bits(try chain.model(forTask: "source").predict(source.inputs)) == bits(try allocated.model(for: .source).predict(source.inputs)))
            #expect(report.releasedAfter == (try Workflow.evaluate(chain, data: target, task: "target")))
            let path = (directory as NSString).appendingPathComponent("chain.safetensors")
            try chain.save(to: path, overwrite: false)
            let loaded = try ModelFile.load(path: path)
            for (task, rows) in [("source", source), ("target", target), ("t2", second)] {
                #expect(bits(try loaded.model(forTask: task).predict(rows.inputs)) == bits(try chain.model(forTask: task).predict(rows.inputs)))
            }
            // A file whose heads do not match its tasks is refused: here the chain without its added task.
            var file = chain.safetensors
            file = SafetensorsFile(tensors: file.tensors.filter { !$0.name.hasSuffix("_task") }, metadata: file.metadata)
            var metadata = file.metadata
            (metadata["pacnet.chain"], metadata["pacnet.chain_reading"], metadata["pacnet.tasks"]) = (nil, nil, "source,target")
            let bad = (directory as NSString).appendingPathComponent("bad.safetensors")
            try SafetensorsFile(tensors: file.tensors, metadata: metadata).write(to: bad, overwrite: false)
            #expect(workflowError { try ModelFile.load(path: bad) }?.description.contains("has 3 heads, but the file serves 2 tasks") == true)
            // A single-task image model gets its target head when calibrated directly, as in a transfer.
            let single = try Workflow.train(data: source, architecture: .resnet(ResNetArchitecture(blocksPerStage: 1, widths: [4, 8], channels: 3,
                                                                                                   headOutputs: [2])),
                                            loss: .bce, options: options, standardize: false).0
            let singleAllocated = try Workflow.allocate(try Workflow.prune(single, pruning: MagnitudePruning(ratio: 0.5)), data: source, options: options).0
            let (singleCalibrated, _) = try Workflow.calibrate(singleAllocated, data: second, lambda: .fixed(0.01),
                                                               schedules: try options.targetSchedules(), options: options)
            #expect(singleCalibrated.architecture.description.hasSuffix("heads=2,2"))
            #expect(bits(try singleCalibrated.model(for: .source).predict(source.inputs)) == bits(try singleAllocated.model(for: .source).predict(source.inputs)))
        }
    }

    @Test func chainTensorsAndMetadataAreChecked() throws {
        let (_, _, _, three) = try Self.chain()
        let file = three.safetensors
        func loadError(_ tensors: [(name: String, tensor: Tensor)], _ metadata: [String: String]) throws -> String {
            try withScratchDirectory { directory in
                let path = (directory as NSString).appendingPathComponent("bad.safetensors")
                try SafetensorsFile(tensors: tensors, metadata: metadata).write(to: path, overwrite: false)
                return workflowError { try ModelFile.load(path: path) }?.description ?? ""
            }
        }
        func replacing(_ name: String, _ change: (inout Tensor) -> Void) -> [(name: String, tensor: Tensor)] {
            file.tensors.map { entry in
                guard entry.name == name else { return entry }
                var tensor = entry.tensor
                change(&tensor)
                return (name, tensor)
            }
        }
        func metadata(_ key: String, _ value: String?) -> [String: String] {
            var changed = file.metadata
            changed[key] = value
            return changed
        }
        let owner = file.tensors.first { $0.name == "layers.2.weight_task" }!.tensor
        let sourceEntry = owner.scalars.firstIndex(of: 0)!, targetEntry = owner.scalars.firstIndex(of: 1)!
        #expect(try loadError(replacing("layers.2.weight_task") { $0.scalars[targetEntry] = 7 }, file.metadata).contains("must have shape"))
        #expect(try loadError(replacing("layers.2.weight_task") { $0.scalars[targetEntry] = 0.5 }, file.metadata).contains("hold task numbers"))
        #expect(try loadError(replacing("layers.2.weight_task") { $0.scalars[sourceEntry] = 2 }, file.metadata).contains("0 exactly where the mask keeps"))
        #expect(try loadError(file.tensors.filter { $0.name != "layers.4.weight_task" }, file.metadata).contains("has no tensor 'layers.4.weight_task'"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", nil)).contains("pacnet.tasks"))
        #expect(try loadError(file.tensors, metadata("pacnet.tasks", "source,target,t3,t2")).contains("disagrees"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "[{\"name\":\"t2\",\"lambda\":0.01,\"freedom\":\"pruned\"},{\"name\":\"t2\",\"lambda\":0.01,\"freedom\":\"pruned\"}]"))
            .contains("twice"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "[{\"name\":\"mask\",\"lambda\":0.01,\"freedom\":\"pruned\"}]")).contains("reserved"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "[{\"name\":\"t2\",\"lambda\":-1,\"freedom\":\"pruned\"}]")).contains("no valid lambda"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "{}")).contains("not a JSON list"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain_reading", "all")).contains("is not nested or source"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "[{\"name\":\"t2\",\"lambda\":0.01,\"freedom\":\"all\"}]")).contains("no freedom"))
        #expect(try loadError(file.tensors, metadata("pacnet.chain", "[{\"name\":\"t2\",\"lambda\":0.01,\"freedom\":\"pruned\",\"targets\":[\"a\",\"b\"]}]"))
            .contains("has 2 names, but the architecture has 1 output"))
        // A task that owns nothing, and a NaN in a target's copy.
        let noT3 = replacing("layers.0.weight_task") { $0.scalars = $0.scalars.map { $0 == 3 ? 2 : $0 } }.map { entry in
            entry.name.hasSuffix("_task") ? (entry.name, entry.tensor.map { $0 == 3 ? 2 : $0 }) : entry
        }
        #expect(try loadError(noT3, file.metadata).contains("task 't3' owns no entry"))
        #expect(try loadError(replacing("layers.0.bias_target") { $0.scalars[0] = .infinity }, file.metadata).contains("NaN or infinite"))
        // Owners without added tasks: a two-task file does not have them.
        var twoTask = metadata("pacnet.chain", nil)
        twoTask["pacnet.tasks"] = "source,target"
        #expect(try loadError(file.tensors, twoTask).contains("no added tasks (pacnet.chain) whose reading"))
        twoTask["pacnet.chain_reading"] = nil
        #expect(try loadError(file.tensors, twoTask).contains("assigns entries to tasks"))
    }
}
