import PACEngine
import PACNet
import PACNN
@testable import PACWorkflow
import Testing

/// What each PAC-Net stage of `Workflow` keeps fixed: pruned entries after allocation, the source
/// network after calibration.
struct WorkflowStageTests {
    @Test func stagesAdvanceAndRecordTheirSettings() throws {
        let pipeline = try TinyPipeline(ratio: 0.5, lambda: 0.05)
        #expect([pipeline.trained, pipeline.pruned, pipeline.allocated, pipeline.calibrated].map(\.stage) ==
            [.trained, .pruned, .allocated, .calibrated])
        #expect(pipeline.trained.masks == nil)
        #expect(pipeline.pruned.ratio == 0.5)
        #expect(pipeline.calibrated.lambda?.value == Float(0.05))
        #expect(pipeline.calibrated.targetTaskTargets == ["z"])
        #expect(pipeline.calibrated.targets == ["y"])
        let masks = try #require(pipeline.pruned.masks)
        #expect(masks.masks.map(\.name) == ["layers.0.weight", "layers.2.weight", "layers.4.weight"])
        // Global magnitude pruning at 0.5 prunes half of the 24 + 64 + 8 weights.
        #expect(masks.prunedCount == 48 && masks.keptCount == 48)
    }

    @Test func prunedEntriesStayExactlyZeroThroughAllocation() throws {
        let pipeline = try TinyPipeline()
        let masks = try #require(pipeline.allocated.masks)
        var changedKept = 0
        for (name, mask) in masks.masks {
            let pruned = try #require(pipeline.pruned.network.parameter(named: name)).value.scalars
            let allocated = try #require(pipeline.allocated.network.parameter(named: name)).value.scalars
            for (index, keep) in mask.scalars.enumerated() {
                if keep == 0 {
                    #expect(pruned[index].bitPattern == 0, "\(name)[\(index)] after pruning")
                    #expect(allocated[index].bitPattern == 0, "\(name)[\(index)] after allocation: \(allocated[index])")
                } else if allocated[index] != pruned[index] {
                    changedKept += 1
                }
            }
        }
        #expect(changedKept > 0, "allocation should retrain the kept entries")
        // Allocation works on a copy: the pruned model is untouched.
        #expect(pipeline.pruned.network !== pipeline.allocated.network)
    }

    @Test func calibrationChangesOnlyPrunedEntries() throws {
        let pipeline = try TinyPipeline()
        let masks = try #require(pipeline.calibrated.masks)
        var trainedPruned = 0
        for (name, parameter) in pipeline.calibrated.network.namedParameters() {
            let calibrated = parameter.value.scalars
            let allocated = try #require(pipeline.allocated.network.parameter(named: name)).value.scalars
            guard let mask = masks[name] else {
                // Biases are not pruned: frozen bit for bit.
                #expect(calibrated.map(\.bitPattern) == allocated.map(\.bitPattern), "\(name)")
                continue
            }
            for (index, keep) in mask.scalars.enumerated() {
                if keep == 1 {
                    #expect(calibrated[index].bitPattern == allocated[index].bitPattern, "\(name)[\(index)]")
                } else if calibrated[index] != 0 {
                    trainedPruned += 1
                }
            }
        }
        #expect(trainedPruned > 0, "calibration should train the pruned entries")
    }

    @Test func sourceScoreAfterCalibrationIsTheAllocatedScore() throws {
        let pipeline = try TinyPipeline()
        let allocated = try Workflow.evaluate(pipeline.allocated, data: pipeline.source, task: .source)
        let calibrated = try Workflow.evaluate(pipeline.calibrated, data: pipeline.source, task: .source)
        #expect(calibrated == allocated)
        #expect(calibrated.value.bitPattern == allocated.value.bitPattern)
        // Without a validation split the allocation report scores the same rows.
        #expect(pipeline.allocateReport.training == allocated)
        #expect(pipeline.allocateReport.validation == nil)
        // The target network is a different model on the source data.
        let target = try Workflow.evaluate(pipeline.calibrated, data: pipeline.source, task: .target)
        #expect(target.value != allocated.value)
        #expect(allocated.metric == "rmse" && allocated.samples == 64)
    }

    @Test func stagesRefuseModelsAtTheWrongStage() throws {
        let pipeline = try TinyPipeline()
        let options = TrainingOptions(epochs: 1, batchSize: 8)
        let prune = workflowError { try Workflow.prune(pipeline.allocated, pruning: MagnitudePruning(ratio: 0.5)) }
        #expect(prune?.description == "the model is already at stage 'allocated'; prune a trained (unpruned) model")
        let allocate = workflowError { try Workflow.allocate(pipeline.trained, data: pipeline.source, options: options) }
        #expect(allocate?.description == "allocation needs a pruned model (stage 'pruned'), got stage 'trained'")
        let calibrate = workflowError { try Workflow.calibrate(pipeline.pruned, data: pipeline.target, lambda: .fixed(0.01), schedules: try options.targetSchedules(), options: options) }
        #expect(calibrate?.description == "calibration needs an allocated model (stage 'allocated'), got stage 'pruned'")
        // An out-of-range lambda cannot reach calibration: the value type refuses it.
        #expect(throws: SettingError("penalty strength", must: "a finite number >= 0", got: -1.0)) { try PenaltyStrength(Double(-1)) }
    }
}
