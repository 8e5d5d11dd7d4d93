@testable import PACBenchmarks
import Foundation
import PACNet
import Testing

/// `ExperimentRecord.jsonLine`: the documented line formats, key order and rounding.
struct ExperimentRecordJSONTests {
    @Test func stageRecordLine() {
        let record = ExperimentRecord.stage(StageRecord(task: "friedman", seed: 0, stage: .trained, sourceScore: 1.5, seconds: 2.1))
        #expect(record.jsonLine(metric: "rmse") == #"{"task":"friedman","seed":0,"stage":"source","source_rmse":1.5,"seconds":2.1}"#)
    }

    @Test func transferRecordLineWithoutSourceScore() {
        let record = ExperimentRecord.transfer(TransferRecord(task: "friedman", seed: 0, nTarget: 50, method: .scratch,
                                                              targetScore: 1.25, sourceScore: nil, seconds: 0.3))
        #expect(record.jsonLine(metric: "rmse")
                == #"{"task":"friedman","seed":0,"n_target":50,"method":"scratch","target_rmse":1.25,"source_rmse":null,"seconds":0.3}"#)
    }

    @Test func transferRecordLineWithSourceScore() {
        let record = ExperimentRecord.transfer(TransferRecord(task: "friedman", seed: 3, nTarget: 200, method: .pacnet,
                                                              targetScore: 2.5, sourceScore: 0.75, seconds: 12))
        #expect(record.jsonLine(metric: "rmse")
                == #"{"task":"friedman","seed":3,"n_target":200,"method":"pacnet","target_rmse":2.5,"source_rmse":0.75,"seconds":12.0}"#)
    }

    @Test func metricNamesTheScoreKeys() {
        let stage = ExperimentRecord.stage(StageRecord(task: "shapes", seed: 1, stage: .allocated, sourceScore: 0.5, seconds: 0))
        #expect(stage.jsonLine(metric: "accuracy") == #"{"task":"shapes","seed":1,"stage":"allocated","source_accuracy":0.5,"seconds":0.0}"#)
        let transfer = ExperimentRecord.transfer(TransferRecord(task: "shapes", seed: 1, nTarget: 100, method: .l2sp,
                                                                targetScore: 0.25, sourceScore: 0.5, seconds: 0))
        #expect(transfer.jsonLine(metric: "accuracy").contains(#""target_accuracy":0.25,"source_accuracy":0.5,"#))
    }

    /// Scores keep full precision; seconds are rounded to milliseconds.
    @Test func scoresKeepFullPrecisionAndSecondsAreRoundedToMilliseconds() throws {
        let score = 3.7329105066283836
        let record = ExperimentRecord.stage(StageRecord(task: "friedman", seed: 0, stage: .pruned, sourceScore: score, seconds: 1.23456))
        let text = record.jsonLine(metric: "rmse")
        #expect(text.hasSuffix(#""seconds":1.235}"#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((object["source_rmse"] as? NSNumber)?.doubleValue == score)
    }
}
