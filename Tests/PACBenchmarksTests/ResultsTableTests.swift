@testable import PACBenchmarks
import PACNet
import Testing

/// `ResultsTable`: rows per (n_target, method), the best-mean marker and the stage section.
struct ResultsTableTests {
    static func transfer(_ seed: UInt64, _ n: Int, _ method: TransferMethod, _ target: Double, _ source: Double?) -> ExperimentRecord {
        .transfer(TransferRecord(task: "friedman", seed: seed, nTarget: n, method: method, targetScore: target, sourceScore: source, seconds: 0.1))
    }

    static func stage(_ seed: UInt64, _ stage: PACNetStage, _ score: Double) -> ExperimentRecord {
        .stage(StageRecord(task: "friedman", seed: seed, stage: stage, sourceScore: score, seconds: 0.1))
    }

    static let records: [ExperimentRecord] = [
        stage(0, .trained, 1.0), stage(0, .pruned, 5.0), stage(0, .allocated, 1.2),
        transfer(0, 10, .scratch, 4.0, nil), transfer(0, 10, .finetune, 3.0, 2.0), transfer(0, 10, .pacnet, 2.5, 1.2),
        transfer(0, 50, .scratch, 2.0, nil), transfer(0, 50, .finetune, 2.2, 2.1), transfer(0, 50, .pacnet, 2.1, 1.2),
        stage(1, .trained, 3.0), stage(1, .pruned, 7.0), stage(1, .allocated, 1.4),
        transfer(1, 10, .scratch, 6.0, nil), transfer(1, 10, .finetune, 3.0, 4.0), transfer(1, 10, .pacnet, 2.5, 1.4),
        transfer(1, 50, .scratch, 2.0, nil), transfer(1, 50, .finetune, 2.2, 2.3), transfer(1, 50, .pacnet, 2.1, 1.4),
    ]

    static var table: ResultsTable { ResultsTable(task: "friedman", metric: "rmse", higherIsBetter: false, records: records) }

    /// The rendered line of one (n_target, method) row.
    static func row(_ text: String, _ n: Int, _ method: TransferMethod) -> [Substring] {
        text.split(separator: "\n").filter {
            let cells = $0.split(separator: " ", omittingEmptySubsequences: true)
            return cells.count >= 2 && cells[0] == "\(n)" && cells[1] == method.rawValue
        }
    }

    @Test func transferRowsAggregateOverSeeds() throws {
        let rows = Self.table.transferRows
        #expect(rows.map { "\($0.nTarget) \($0.method.rawValue)" }
                == ["10 scratch", "10 finetune", "10 pacnet", "50 scratch", "50 finetune", "50 pacnet"])
        let scratch10 = try #require(rows.first { $0.nTarget == 10 && $0.method == .scratch })
        #expect(scratch10.target == Summary([4, 6]))
        #expect(scratch10.source == nil)
        let finetune10 = try #require(rows.first { $0.nTarget == 10 && $0.method == .finetune })
        #expect(finetune10.source == Summary([2, 4]))
    }

    @Test func stageRowsInPipelineOrder() {
        let stages = Self.table.stageRows
        #expect(stages.map(\.stage) == [.trained, .pruned, .allocated])
        #expect(stages.map(\.source) == [Summary([1, 3]), Summary([5, 7]), Summary([1.2, 1.4])])
    }

    @Test func renderHasOneRowPerSizeAndMethod() {
        let text = Self.table.render()
        for n in [10, 50] {
            for method in [TransferMethod.scratch, .finetune, .pacnet] {
                #expect(Self.row(text, n, method).count == 1, "\(n) \(method)")
            }
            #expect(Self.row(text, n, .l2sp).isEmpty)
        }
        #expect(text.contains("2 seeds"))
        #expect(text.contains("RMSE"))
        #expect(Self.row(text, 10, .scratch).first?.contains("5.000 ± 1.414") == true)
        #expect(Self.row(text, 10, .scratch).first?.hasSuffix("-") == true)
    }

    @Test func renderMarksTheBestTargetMeanPerSize() {
        let text = Self.table.render()
        // n = 10: pacnet (2.5) is best; n = 50: scratch (2.0) is best. Lower is better for RMSE.
        #expect(Self.row(text, 10, .pacnet).first?.contains("*") == true)
        #expect(Self.row(text, 10, .scratch).first?.contains("*") == false)
        #expect(Self.row(text, 10, .finetune).first?.contains("*") == false)
        #expect(Self.row(text, 50, .scratch).first?.contains("*") == true)
        #expect(Self.row(text, 50, .pacnet).first?.contains("*") == false)
        #expect(Self.row(text, 50, .finetune).first?.contains("*") == false)
    }

    @Test func higherIsBetterMarksTheLargestMean() {
        let table = ResultsTable(task: "friedman", metric: "accuracy", higherIsBetter: true, records: Self.records)
        let text = table.render()
        #expect(Self.row(text, 10, .scratch).first?.contains("*") == true)
        #expect(Self.row(text, 10, .pacnet).first?.contains("*") == false)
        #expect(Self.row(text, 50, .finetune).first?.contains("*") == true)
    }

    @Test func renderListsTheStages() throws {
        let lines = Self.table.render().split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.contains("source model on the source test set") })
        let after = lines[(header + 1)...].map { String($0) }
        let stageLines = after.filter { line in PACNetStage.allCases.contains { line.hasPrefix($0.rawValue + " ") } }
        #expect(stageLines.count == 3)
        #expect(stageLines.first?.hasPrefix("trained") == true && stageLines.first?.contains("2.000 ± 1.414") == true)
        #expect(stageLines.dropFirst().first?.hasPrefix("pruned") == true && stageLines.dropFirst().first?.contains("6.000 ± 1.414") == true)
        #expect(stageLines.last?.hasPrefix("allocated") == true && stageLines.last?.contains("1.300 ± 0.141") == true)
    }

    @Test func noStageSectionWithoutStageRecords() {
        let transfersOnly = Self.records.filter { if case .transfer = $0 { true } else { false } }
        let text = ResultsTable(task: "friedman", metric: "rmse", higherIsBetter: false, records: transfersOnly).render()
        #expect(!text.contains("source model on the source test set"))
    }

    @Test func singleSeedHeaderIsSingular() {
        let oneSeed = Self.records.filter { record in
            switch record { case .stage(let r): r.seed == 0; case .transfer(let r): r.seed == 0 }
        }
        let text = ResultsTable(task: "friedman", metric: "rmse", higherIsBetter: false, records: oneSeed).render()
        #expect(text.contains("over 1 seed "))
    }
}
