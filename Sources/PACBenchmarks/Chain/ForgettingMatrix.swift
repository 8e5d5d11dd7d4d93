import PACNet
import PACPlots

/// The forgetting matrices of a chain benchmark: for each method, every task's test score
/// (mean ± std over seeds) after every step, and the figure of the same numbers.
public struct ForgettingMatrix: Sendable {
    public let task: String
    public let metric: String
    public let records: [ChainRecord]

    public init(task: String, metric: String, records: [ChainRecord]) {
        self.task = task
        self.metric = metric
        self.records = records
    }

    /// The methods present, in `ChainMethod` order.
    public var methods: [ChainMethod] { ChainMethod.allCases.filter { m in records.contains { $0.method == m } } }

    /// The last step (the number of targets).
    public var lastStep: Int { records.map(\.step).max() ?? 0 }

    /// Task `taskIndex`'s score after `step` of `method` over seeds, if measured.
    public func summary(_ method: ChainMethod, step: Int, task taskIndex: Int) -> Summary? {
        let values = records.filter { $0.method == method && $0.step == step && $0.taskIndex == taskIndex }.map(\.score)
        return values.isEmpty ? nil : Summary(values)
    }

    /// Training seconds of the targets' steps of `method` (the source's training or allocation
    /// excluded), summed over steps, mean over seeds.
    public func seconds(_ method: ChainMethod) -> Double {
        let perSeed = Dictionary(grouping: records.filter { $0.method == method && $0.taskIndex == 0 && $0.step > 0 }, by: \.seed)
        guard !perSeed.isEmpty else { return 0 }
        return perSeed.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.seconds } } / Double(perSeed.count)
    }

    /// Markdown: one matrix per method (rows: after each step; columns: tasks), then the final
    /// scores of every task side by side.
    public func render() -> String {
        let tasks = (0...lastStep).map(ChainRecord.name(of:))
        let seeds = Set(records.map(\.seed)).count
        var lines = ["\(task) chain: test \(metric) of every task after every step (mean ± std over \(seeds) seed\(seeds == 1 ? "" : "s"))"]
        for method in methods {
            lines += ["", "\(method.rawValue) (\(method.isOneNetwork ? "one network" : "a network per task"); targets trained in \(Summary.formatted(seconds(method))) s per seed)", "",
                      "| after | " + tasks.joined(separator: " | ") + " |", "|---|" + String(repeating: "---|", count: tasks.count)]
            for step in 0...lastStep {
                let cells = (0...lastStep).map { summary(method, step: step, task: $0)?.formatted ?? "" }
                lines.append("| \(ChainRecord.name(of: step)) | " + cells.joined(separator: " | ") + " |")
            }
        }
        lines += ["", "final \(metric) of every task (after \(ChainRecord.name(of: lastStep))):", "",
                  "| method | " + tasks.joined(separator: " | ") + " |", "|---|" + String(repeating: "---|", count: tasks.count)]
        for method in methods {
            let cells = (0...lastStep).map { summary(method, step: lastStep, task: $0)?.formatted ?? "" }
            lines.append("| \(method.rawValue) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// One panel per task: its score after each step, a line per method.
    public func figure() -> String {
        let plots = (0...lastStep).map { taskIndex in
            var plot = LinePlot(title: ChainRecord.name(of: taskIndex), xLabel: "after learning task (0 = source)", yLabel: "test \(metric)",
                                xLimits: -0.2...(Double(lastStep) + 0.2))
            for (index, method) in methods.enumerated() {
                let points = (taskIndex...lastStep).compactMap { step in summary(method, step: step, task: taskIndex).map { (step, $0) } }
                plot.add(PlotSeries(name: method.rawValue, x: points.map { Double($0.0) }, y: points.map { $0.1.mean },
                                    errors: points.map { $0.1.standardDeviation },
                                    marker: PlotMarker.allCases.filter { $0 != .none }[index % 5],
                                    dash: method.rawValue.hasPrefix("pacnet") ? .solid : .dashed))
            }
            return plot
        }
        return PlotGrid(title: "\(task) chain: every task's test \(metric) after each step (mean ± std over seeds)",
                        columns: 2, plots: plots, sharedLegend: true).svg()
    }
}
