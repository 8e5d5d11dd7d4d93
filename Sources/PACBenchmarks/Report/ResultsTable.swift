import PACNet

/// The human-readable summary of a benchmark run: per `n_target` and method, target and
/// source test scores after transfer (mean ± std over seeds), then the source model's score
/// through PAC-Net's stages.
public struct ResultsTable {
    public let task: String
    public let metric: String
    public let higherIsBetter: Bool
    public let records: [ExperimentRecord]

    public init(task: String, metric: String, higherIsBetter: Bool, records: [ExperimentRecord]) {
        self.task = task
        self.metric = metric
        self.higherIsBetter = higherIsBetter
        self.records = records
    }

    /// Rows per (n_target, method) in first-seen order.
    public var transferRows: [(nTarget: Int, method: TransferMethod, target: Summary, source: Summary?)] {
        let transfers = records.compactMap { if case .transfer(let r) = $0 { r } else { nil } }
        var keys: [(Int, TransferMethod)] = []
        for r in transfers where !keys.contains(where: { $0 == (r.nTarget, r.method) }) { keys.append((r.nTarget, r.method)) }
        return keys.map { n, method in
            let matching = transfers.filter { $0.nTarget == n && $0.method == method }
            let sources = matching.compactMap(\.sourceScore)
            return (n, method, Summary(matching.map(\.targetScore)), sources.isEmpty ? nil : Summary(sources))
        }
    }

    /// The source model's score per pipeline stage.
    public var stageRows: [(stage: PipelineStage, source: Summary)] {
        let stages = records.compactMap { if case .stage(let r) = $0 { r } else { nil } }
        return PipelineStage.allCases.compactMap { stage in
            let values = stages.filter { $0.stage == stage }.map(\.sourceScore)
            return values.isEmpty ? nil : (stage, Summary(values))
        }
    }

    /// The table as text; the best target mean for each `n_target` is marked with `*`.
    public func render() -> String {
        let seeds = Set(records.map { record -> UInt64 in
            switch record { case .stage(let r): r.seed; case .transfer(let r): r.seed }
        }).count
        let label = metric.uppercased()
        var lines = ["\(task): test \(label) after transfer, mean ± std over \(seeds) seed\(seeds == 1 ? "" : "s") (* = best target \(label) per n_target)", ""]
        let rows = transferRows
        var table: [[String]] = [["n_target", "method", "target \(label)", "source \(label)"]]
        for n in Array(Set(rows.map(\.nTarget))).sorted() {
            let group = rows.filter { $0.nTarget == n }
            let best = higherIsBetter ? group.map(\.target.mean).max() : group.map(\.target.mean).min()
            for row in group {
                table.append(["\(n)", row.method.rawValue,
                              row.target.formatted + (row.target.mean == best ? " *" : ""),
                              row.source?.formatted ?? "-"])
            }
        }
        lines += TextTable.render(table, rightAligned: [0])
        let stages = stageRows
        if !stages.isEmpty {
            lines += ["", "source model on the source test set"]
            lines += TextTable.render([["stage", "source \(label)"]] + stages.map { [$0.stage.rawValue, $0.source.formatted] }, rightAligned: [])
        }
        return lines.joined(separator: "\n")
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
