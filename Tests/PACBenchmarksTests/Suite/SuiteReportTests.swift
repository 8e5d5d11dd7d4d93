import Foundation
import PACNet
import Testing
@testable import PACBenchmarks

/// The report generator on hand-made records: tables, bold best values, ablation grid, figures.
@Suite struct SuiteReportTests {
    static func transfer(_ seed: UInt64, _ n: Int, _ method: TransferMethod, _ target: Double, _ source: Double?,
                         ratio: Double? = nil, lambda: Float? = nil) -> ExperimentRecord {
        .transfer(TransferRecord(task: "friedman", seed: seed, nTarget: n, method: method, ratio: ratio, lambda: lambda,
                                 targetScores: [target], sourceScores: source.map { [$0] }, seconds: 0.1))
    }

    static var results: SuiteRunner.TaskResults {
        let comparison: [ExperimentRecord] = [
            .stage(StageRecord(task: "friedman", seed: 0, stage: .trained, sourceScore: 1.1, seconds: 1)),
            .stage(StageRecord(task: "friedman", seed: 0, stage: .allocated, sourceScore: 1.05, seconds: 1)),
            transfer(0, 10, .scratch, 3.0, nil), transfer(0, 10, .finetune, 2.0, 3.2), transfer(0, 10, .pacnet, 1.8, 1.05),
            transfer(1, 10, .scratch, 3.2, nil), transfer(1, 10, .finetune, 2.2, 3.0), transfer(1, 10, .pacnet, 2.0, 1.05),
        ]
        let ablation: [ExperimentRecord] = [
            transfer(0, 10, .pacnet, 1.7, 1.04, ratio: 0.5, lambda: 0.01), transfer(0, 10, .pacnet, 1.9, 1.05, ratio: 0.8, lambda: 0.01),
        ]
        let figures = SuiteFigures.make(task: "friedman", metrics: ["rmse"], records: comparison, illustrations: [:])
        return SuiteRunner.TaskResults(task: "friedman", metrics: ["rmse"], higherIsBetter: false, targetSizes: [10],
                                       configuration: FriedmanTask().defaultConfiguration(), comparison: comparison, ablation: ablation, seconds: 2, ablationSeconds: 1, figures: figures)
    }

    @Test func markdownHasTablesBestValuesAndFigures() {
        let text = SuiteReport.markdown([Self.results], suite: SuiteConfiguration(), totalSeconds: 3)
        #expect(text.contains("## `friedman`"))
        #expect(text.contains("| n_target | method | target rmse | source rmse |"))
        // pacnet has the lowest target mean (1.9) and the lowest source mean (1.05): both bold.
        #expect(text.contains("| 10 | `pacnet` | **1.900 ± 0.141** | **1.050 ± 0.000** |"))
        #expect(text.contains("| 10 | `scratch` | 3.100 ± 0.141 | - |"))
        #expect(text.contains("| allocated | 1.050 ± 0.000 |"))
        #expect(text.contains("| 10 | 0.5 | **1.700** | 1.040 |"))
        #expect(text.contains("![Target rmse vs n_target](friedman_target_rmse.svg)"))
        #expect(text.contains("## Settings"))
    }

    @Test func figuresAreSVGWithEveryMethod() {
        let figures = Self.results.figures
        #expect(figures.map(\.name) == ["friedman_target_rmse.svg", "friedman_source_rmse.svg"])
        for figure in figures {
            #expect(figure.svg.hasPrefix("<?xml"))
            #expect(!figure.svg.lowercased().contains("nan"))
        }
        #expect(figures[0].svg.contains("scratch") && figures[0].svg.contains("pacnet"))
        // scratch keeps no source model, so it is not drawn in the source figure.
        #expect(!figures[1].svg.contains(">scratch<"))
    }

    @Test func autoVariantsGetTheirOwnRowsAndASelectionTable() {
        func auto(_ seed: UInt64, _ target: Double, ratio: Double, lambda: Float) -> ExperimentRecord {
            .transfer(TransferRecord(task: "friedman", seed: seed, nTarget: 10, method: .pacnet, targetScores: [target],
                                     sourceScores: [1.05], seconds: 0.1,
                                     selection: SelectionOutcome(autoRatio: true, autoLambda: true, ratio: ratio, lambda: lambda, seconds: 2)))
        }
        let base = Self.results
        let results = SuiteRunner.TaskResults(
            task: "friedman", metrics: ["rmse"], higherIsBetter: false, targetSizes: [10], configuration: base.configuration,
            comparison: base.comparison + [auto(0, 1.5, ratio: 0.9, lambda: 0.001), auto(1, 1.7, ratio: 0.7, lambda: 0)],
            ablation: [], seconds: 2, ablationSeconds: 1, figures: [])
        let text = SuiteReport.markdown([results], suite: SuiteConfiguration(), totalSeconds: 3)
        #expect(text.contains("| 10 | `pacnet auto` | **1.600 ± 0.141** | **1.050 ± 0.000** |"), "\(text)")
        #expect(text.contains("| 10 | `pacnet auto` | 0.9,0.7 | 0.001,0.0 | 2.0 s |"))
        let line = auto(0, 1.5, ratio: 0.9, lambda: 0.001).jsonLine(metric: "rmse")
        #expect(line.contains("\"selection\":\"auto\",\"selected_ratio\":0.9,\"selected_lambda\":0.001,\"selection_seconds\":2"))
    }
}
