import Foundation
import PACEngine
import PACIO
import PACNet
import PACNN
import PACTestSupport
@testable import PACWorkflow
import Testing

/// Image data sets and multi-head ResNet model files in the workflow.
struct ImageWorkflowTests {
    @Test func architectureStringsOfBothKinds() throws {
        let full = try Architecture(parsing: "resnet:2:8-16-32:1:heads=40,5")
        #expect(full == .resnet(ResNetArchitecture(blocksPerStage: 2, widths: [8, 16, 32], channels: 1, headOutputs: [40, 5])))
        #expect(full.description == "resnet:2:8-16-32:1:heads=40,5")
        #expect(full.takesImages && full.inputWidth == 1)
        #expect(full.outputWidth(for: .source) == 40 && full.outputWidth(for: .target) == 5)
        // MLP strings are unchanged.
        let mlp = try Architecture(parsing: "mlp:3-8-1:tanh")
        #expect(mlp == Architecture(sizes: [3, 8, 1], activation: .tanh) && !mlp.takesImages && mlp.description == "mlp:3-8-1:tanh")

        // Left-out trailing parts come from the data's defaults.
        let defaults = ResNetArchitecture(channels: 3, headOutputs: [4, 2])
        #expect(try Architecture(parsing: "resnet", imageDefaults: defaults).description == "resnet:1:16-32-64:3:heads=4,2")
        #expect(try Architecture(parsing: "resnet:2:8-16", imageDefaults: defaults).description == "resnet:2:8-16:3:heads=4,2")
        // One head: a single-task image model.
        #expect(try Architecture(parsing: "resnet:1:8:3:heads=5").outputWidth(for: .source) == 5)
        #expect(try Architecture(parsing: "resnet:1:8:3:heads=5").outputWidth(for: .target) == nil)
        // A chain of tasks has a head per task.
        #expect(try Architecture(parsing: "resnet:1:8:3:heads=1,2,3").outputWidth(forHead: 2) == 3)
        for bad in ["resnet", "resnet:1:16-32-64:3", "resnet:0:8:3:heads=1,1", "resnet:1:8--16:3:heads=1,1",
                    "resnet:1:8:3:heads=1,0", "resnet:1:8:3:outs=1,1", "resnet:1:8:3:heads=1,1:x", "resnets:1:8:3:heads=1,1"] {
            let error = workflowError { try Architecture(parsing: bad) }
            #expect(error?.description.contains("'\(bad)' is not of the form") == true, "\(bad): \(String(describing: error))")
        }
    }

    @Test func imagesLoadChannelsFirstInZeroOne() throws {
        try withScratchDirectory { directory in
            let (images, labels) = try writeImageFiles(rows: 5, seed: 1, columns: [0, 2], prefix: "s", in: directory)
            let names = try writeFile("bright\n  top \n\n", "names.txt", in: directory)
            let data = try LabeledData.load(DataSpec(path: images, labelsPath: labels, targets: [], loss: .bce, layout: .images, namesPath: names))
            #expect(data.inputs.shape == [5, 3, 8, 8])
            #expect(data.imageSize == ImageSize(height: 8, width: 8))
            #expect(data.targetNames == ["bright", "top"] && data.featureNames.isEmpty)
            let fixture = ImageFixture(rows: 5, seed: 1)
            // Pixel (image 3, row 2, column 5, channel 1) of the NHWC file.
            #expect(data.inputs[3, 1, 2, 5] == Float(fixture.pixels[((3 * 8 + 2) * 8 + 5) * 3 + 1]) / 255)
            #expect(data.targets.scalars == fixture.attributes.flatMap { [Float($0[0]), Float($0[2])] })
            // By rank: rank 4 is images, anything else feature rows.
            #expect(try LabeledData.load(DataSpec(path: images, labelsPath: labels, targets: [], loss: .bce, layout: .byRank)).inputs.rank == 4)
            #expect(try LabeledData.load(DataSpec(path: images, labelsPath: labels, targets: [], loss: .bce)).inputs.shape == [5, 192])
        }
    }

    @Test func namesFilesMustNameEveryColumnOnce() throws {
        try withScratchDirectory { directory in
            let (images, labels) = try writeImageFiles(rows: 6, seed: 1, columns: [0, 1], prefix: "s", in: directory)
            func error(_ names: String) -> String? {
                let path = try? writeFile(names, "names.txt", in: directory)
                return workflowError {
                    try LabeledData.load(DataSpec(path: images, labelsPath: labels, targets: [], loss: .bce, layout: .images, namesPath: path))
                }?.description
            }
            #expect(error("a\nb\nc\n") == "\(directory)/names.txt names 3 columns, but \(labels) has 2")
            #expect(error("a\na\n") == "\(directory)/names.txt:2: duplicate name 'a' (first on line 1)")
            #expect(error("a,b\nc\n") == "\(directory)/names.txt:1: name 'a,b' contains a comma or quote")
        }
    }

    /// A trained, then allocated and calibrated tiny ResNet: the file holds the whole state
    /// (BN running statistics included), the masks, the image size and both tasks' names.
    @Test(arguments: [PACNetStage.trained, .allocated, .calibrated])
    func resNetModelFilesRoundTripBitForBit(stage: PACNetStage) throws {
        try withScratchDirectory { directory in
            let (sourceImages, sourceLabels) = try writeImageFiles(rows: 24, seed: 1, columns: [0, 1], prefix: "s", in: directory)
            let (targetImages, targetLabels) = try writeImageFiles(rows: 12, seed: 2, columns: [2], prefix: "t", in: directory)
            let source = try LabeledData.load(DataSpec(path: sourceImages, labelsPath: sourceLabels, targets: ["red", "left"], loss: .bce, layout: .images))
            let target = try LabeledData.load(DataSpec(path: targetImages, labelsPath: targetLabels, targets: ["top"], loss: .bce, layout: .images))
            let options = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 3)
            var (model, _) = try Workflow.train(data: source, architecture: tinyResNet, loss: .bce, options: options, standardize: false)
            if stage != .trained {
                (model, _) = try Workflow.allocate(try Workflow.prune(model, pruning: MagnitudePruning(ratio: 0.5)), data: source, options: options)
            }
            if stage == .calibrated { (model, _) = try Workflow.calibrate(model, data: target, lambda: .fixed(0.01), schedules: try options.targetSchedules(), options: options) }

            let path = (directory as NSString).appendingPathComponent("model.safetensors")
            try model.save(to: path, overwrite: false)
            let file = try SafetensorsFile.read(path: path)
            #expect(file.metadata["pacnet.architecture"] == "resnet:1:4-8:3:heads=2,1")
            #expect(file.metadata["pacnet.image_size"] == "[8,8]")
            #expect(file.names.contains("backbone.stem.1.running_var") && file.names.contains("heads.1.weight"))
            let loaded = try ModelFile.load(path: path)
            #expect(loaded.architecture == tinyResNet && loaded.stage == stage && loaded.loss == .bce)
            #expect(loaded.imageSize == ImageSize(height: 8, width: 8))
            #expect(loaded.targets == ["red", "left"] && loaded.features == nil)
            #expect(loaded.targetTaskTargets == (stage == .calibrated ? ["top"] : nil))
            #expect(parameterBits(loaded.network) == parameterBits(model.network))
            #expect(loaded.network.stateDict().map(\.name) == model.network.stateDict().map(\.name))
            // Running statistics moved during training, so the buffers really are restored.
            #expect(bits(try #require(loaded.network.buffer(named: "backbone.stem.1.running_mean")).value) != bits(Tensor(zeros: [4])))
            #expect(loaded.masks?.masks.map(\.name) == model.masks?.masks.map(\.name))
            for ((_, mask), (_, original)) in zip(loaded.masks?.masks ?? [], model.masks?.masks ?? []) { #expect(bits(mask) == bits(original)) }
            // Only the backbone is masked.
            #expect(loaded.masks?.masks.allSatisfy { $0.name.hasPrefix("backbone.") } ?? true)
            for task in stage.sides {
                #expect(bits(try loaded.model(for: task).predict(source.inputs)) == bits(try model.model(for: task).predict(source.inputs)))
            }
        }
    }

    @Test func calibrationLeavesTheSourceTaskBitIdentical() throws {
        try withScratchDirectory { directory in
            let (sourceImages, sourceLabels) = try writeImageFiles(rows: 24, seed: 1, columns: [0, 1], prefix: "s", in: directory)
            let (targetImages, targetLabels) = try writeImageFiles(rows: 12, seed: 2, columns: [2], prefix: "t", in: directory)
            let source = try LabeledData.load(DataSpec(path: sourceImages, labelsPath: sourceLabels, targets: [], loss: .bce, layout: .images))
            let target = try LabeledData.load(DataSpec(path: targetImages, labelsPath: targetLabels, targets: [], loss: .bce, layout: .images))
            let options = TrainingOptions(epochs: 2, batchSize: 8, learningRate: 1e-2, seed: 3)
            let (trained, _) = try Workflow.train(data: source, architecture: tinyResNet, loss: .bce, options: options, standardize: false)
            let (allocated, allocateReport) = try Workflow.allocate(try Workflow.prune(trained, pruning: MagnitudePruning(ratio: 0.5)),
                                                                    data: source, options: options)
            let (calibrated, report) = try Workflow.calibrate(allocated, data: target, lambda: .fixed(0.01), schedules: try options.targetSchedules(), options: options)
            #expect(bits(try calibrated.model(for: .source).predict(source.inputs)) == bits(try allocated.model(for: .source).predict(source.inputs)))
            #expect(try Workflow.evaluate(calibrated, data: source, task: .source) == allocateReport.training)
            #expect(report.training.metric == "accuracy")
            // The target head answers the target task: one output per target attribute.
            #expect(try calibrated.model(for: .target).predict(target.inputs).shape == [12, 1])
            #expect(try Workflow.evaluate(calibrated, data: target, task: .target) == report.training)
        }
    }
}
