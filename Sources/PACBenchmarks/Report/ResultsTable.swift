import PACNet

/// The human-readable summary of a benchmark run: per `n_target` and method, target and
/// source test scores after transfer (mean ± std over seeds), then the source model's score
/// through PAC-Net's stages.
public struct ResultsTable {
    public let task: String
    /// The task's metrics; the first is primary (it decides the best method per row group).
    public let metrics: [String]
    public let higherIsBetter: Bool
    public let records: [ExperimentRecord]

    public init(task: String, metrics: [String], higherIsBetter: Bool, records: [ExperimentRecord]) {
        self.task = task
        self.metrics = metrics
        self.higherIsBetter = higherIsBetter
        self.records = records
    }

    /// A table of a single-metric task.
    public init(task: String, metric: String, higherIsBetter: Bool, records: [ExperimentRecord]) {
        self.init(task: task, metrics: [metric], higherIsBetter: higherIsBetter, records: records)
    }

    /// The primary metric.
    public var metric: String { metrics[0] }

    /// Rows per (n_target, method) in first-seen order, primary metric.
    public var transferRows: [(nTarget: Int, method: TransferMethod, target: Summary, source: Summary?)] {
        transferSummaries.map { ($0.nTarget, $0.method, $0.target[0], $0.source?[0]) }
    }

    /// Rows per (n_target, method variant) in first-seen order, with a summary per metric.
    public var transferSummaries: [(nTarget: Int, method: TransferMethod, label: String, target: [Summary], source: [Summary]?)] {
        let transfers = records.compactMap { if case .transfer(let r) = $0 { r } else { nil } }
        var keys: [(Int, String)] = []
        for r in transfers where !keys.contains(where: { $0 == (r.nTarget, r.variantLabel) }) { keys.append((r.nTarget, r.variantLabel)) }
        return keys.map { n, label in
            let matching = transfers.filter { $0.nTarget == n && $0.variantLabel == label }
            let target = metrics.indices.map { i in Summary(matching.map { $0.targetScores[i] }) }
            let sources = matching.compactMap(\.sourceScores)
            let source = sources.isEmpty ? nil : metrics.indices.map { i in Summary(sources.map { $0[i] }) }
            return (n, matching[0].method, label, target, source)
        }
    }

    /// PAC-Net's mean target score (primary metric) for each (n_target, ratio, lambda) of a sweep.
    public var ablation: [(nTarget: Int, ratio: Double, lambda: Float, target: Summary, source: Summary)] {
        let swept = records.compactMap { record -> TransferRecord? in
            if case .transfer(let r) = record, r.method == .pacnet, r.ratio != nil, r.lambda != nil { return r }
            return nil
        }
        var keys: [(Int, Double, Float)] = []
        for r in swept where !keys.contains(where: { $0 == (r.nTarget, r.ratio!, r.lambda!) }) { keys.append((r.nTarget, r.ratio!, r.lambda!)) }
        return keys.map { n, ratio, lambda in
            let matching = swept.filter { $0.nTarget == n && $0.ratio == ratio && $0.lambda == lambda }
            return (n, ratio, lambda, Summary(matching.map(\.targetScore)), Summary(matching.compactMap(\.sourceScore)))
        }
    }

    /// The source model's primary score per pipeline stage.
    public var stageRows: [(stage: PACNetStage, source: Summary)] {
        stageSummaries.map { ($0.stage, $0.source[0]) }
    }

    /// The source model's scores per pipeline stage (and ratio, in a sweep), a summary per metric.
    public var stageSummaries: [(stage: PACNetStage, source: [Summary])] {
        stageVariants.map { ($0.stage, $0.source) }
    }

    /// Like `stageSummaries`, labelled with the ratio of swept stages (`allocated r=0.5`).
    public var stageVariants: [(stage: PACNetStage, label: String, source: [Summary])] {
        let stages = records.compactMap { if case .stage(let r) = $0 { r } else { nil } }
        return PACNetStage.allCases.flatMap { stage in
            var ratios: [Double?] = []
            for r in stages where r.stage == stage && !ratios.contains(r.ratio) { ratios.append(r.ratio) }
            return ratios.map { ratio in
                let matching = stages.filter { $0.stage == stage && $0.ratio == ratio }
                let label = stage.rawValue + (ratio.map { " r=\($0)" } ?? "")
                return (stage, label, metrics.indices.map { i in Summary(matching.map { $0.sourceScores[i] }) })
            }
        }
    }

    /// The table as text; the best target mean (primary metric) for each `n_target` is marked with `*`.
    public func render() -> String {
        let seeds = Set(records.map { record -> UInt64 in
            switch record { case .stage(let r): r.seed; case .transfer(let r): r.seed }
        }).count
        let labels = metrics.map { $0.uppercased() }
        var lines = ["\(task): test \(labels.joined(separator: ", ")) after transfer, mean ± std over \(seeds) seed\(seeds == 1 ? "" : "s") (* = best target \(labels[0]) per n_target)", ""]
        let rows = transferSummaries
        var table: [[String]] = [["n_target", "method"] + labels.map { "target \($0)" } + labels.map { "source \($0)" }]
        for n in Array(Set(rows.map(\.nTarget))).sorted() {
            let group = rows.filter { $0.nTarget == n }
            let best = higherIsBetter ? group.map(\.target[0].mean).max() : group.map(\.target[0].mean).min()
            for row in group {
                let targets = row.target.enumerated().map { i, summary in summary.formatted + (i == 0 && summary.mean == best ? " *" : "") }
                let sources = row.source?.map(\.formatted) ?? Array(repeating: "-", count: metrics.count)
                table.append(["\(n)", row.label] + targets + sources)
            }
        }
        lines += TextTable.render(table, rightAligned: [0])
        let stages = stageVariants
        if !stages.isEmpty {
            lines += ["", "source model on the source test set"]
            lines += TextTable.render([["stage"] + labels.map { "source \($0)" }] + stages.map { [$0.label] + $0.source.map(\.formatted) },
                                      rightAligned: [])
        }
        let ablation = self.ablation
        if !ablation.isEmpty {
            let lambdas = ablation.reduce(into: [Float]()) { if !$0.contains($1.lambda) { $0.append($1.lambda) } }
            lines += ["", "ablation: PAC-Net target \(labels[0]) (mean over seeds) by pruning ratio and lambda"]
            var grid: [[String]] = [["n_target", "ratio"] + lambdas.map { "λ=\($0)" }]
            for n in Array(Set(ablation.map(\.nTarget))).sorted() {
                let ratios = ablation.filter { $0.nTarget == n }.reduce(into: [Double]()) { if !$0.contains($1.ratio) { $0.append($1.ratio) } }
                for ratio in ratios {
                    grid.append(["\(n)", "\(ratio)"] + lambdas.map { lambda in
                        ablation.first { $0.nTarget == n && $0.ratio == ratio && $0.lambda == lambda }.map { Summary.formatted($0.target.mean) } ?? "-"
                    })
                }
            }
            lines += TextTable.render(grid, rightAligned: [0, 1])
        }
        let selections = self.selections
        if !selections.isEmpty {
            lines += ["", "auto selection (k-fold cross-validation on the target training data): chosen values per seed"]
            // The learning-rate column only when some variant selected it.
            let rates = selections.contains { $0.learningRates != nil }
            lines += TextTable.render([["n_target", "method", "ratio per seed", "lambda per seed"] + (rates ? ["learning rate per seed"] : [])
                                       + ["selection time"]] + selections.map {
                ["\($0.nTarget)", $0.label, $0.ratios, $0.lambdas] + (rates ? [$0.learningRates ?? "-"] : []) + [String(format: "%.1f s", $0.seconds)]
            }, rightAligned: [0])
        }
        return lines.joined(separator: "\n")
    }

    /// For every auto variant and `n_target`: the chosen ratios, lambdas and (when selected)
    /// learning rates in seed order (`-` where the method has none) and the mean
    /// cross-validation time per seed.
    public var selections: [(nTarget: Int, label: String, ratios: String, lambdas: String, learningRates: String?, seconds: Double)] {
        let auto = records.compactMap { record -> TransferRecord? in
            if case .transfer(let r) = record, r.selection != nil { return r }
            return nil
        }
        var keys: [(Int, String)] = []
        for r in auto where !keys.contains(where: { $0 == (r.nTarget, r.variantLabel) }) { keys.append((r.nTarget, r.variantLabel)) }
        return keys.map { n, label in
            let matching = auto.filter { $0.nTarget == n && $0.variantLabel == label }.sorted { $0.seed < $1.seed }
            let ratios = matching.map { $0.selection!.ratio.map { "\($0)" } ?? "-" }.joined(separator: ",")
            let lambdas = matching.map { $0.selection!.lambda.map { "\($0)" } ?? "-" }.joined(separator: ",")
            let rates = matching.contains { $0.selection!.autoLearningRate }
                ? matching.map { $0.selection!.learningRate.map { "\($0)" } ?? "-" }.joined(separator: ",") : nil
            let seconds = matching.map(\.selection!.seconds).reduce(0, +) / Double(max(matching.count, 1))
            return (n, label, ratios, lambdas, rates, seconds)
        }
    }
}

/// Plain-text tables with aligned columns.
public enum TextTable {
    /// Rows (the first is the header) as aligned lines with a rule under the header.
    public static func render(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }
}
