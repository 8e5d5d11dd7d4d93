import Foundation
import PACNet
import PACPlots

/// The report's SVG figures, drawn with the project's own plotting code.
enum SuiteFigures {
    static func make(task: String, metrics: [String], records: [ExperimentRecord],
                     illustrations: [TransferMethod: Illustration]) -> [(name: String, title: String, svg: String)] {
        let table = ResultsTable(task: task, metrics: metrics, higherIsBetter: false, records: records)
        let rows = table.transferSummaries
        let methods = rows.reduce(into: [String]()) { if !$0.contains($1.label) { $0.append($1.label) } }
        let metric = metrics[0]
        func errorPlot(title: String, yLabel: String, value: (_ row: (nTarget: Int, method: TransferMethod, label: String, target: [Summary], source: [Summary]?)) -> Summary?) -> String {
            var plot = LinePlot(title: title, xLabel: "n_target (log scale)", yLabel: yLabel, xScale: .log10, yScale: .log10,
                                legend: .outsideRight)
            for (index, method) in methods.enumerated() {
                let points = rows.filter { $0.label == method }.compactMap { row in value(row).map { (Double(row.nTarget), $0) } }
                guard !points.isEmpty else { continue }
                plot.add(PlotSeries(name: method, x: points.map(\.0), y: points.map { $0.1.mean },
                                    errors: points.map { $0.1.standardDeviation },
                                    marker: PlotMarker.allCases.filter { $0 != .none }[index % 5],
                                    dash: method.hasPrefix("pacnet") ? .solid : .dashed))
            }
            return plot.svg(width: 720, height: 420)
        }
        var figures: [(String, String, String)] = [
            ("\(task)_target_\(metric).svg", "Target \(metric) vs n_target",
             errorPlot(title: "\(task): target test \(metric) (mean ± std over seeds)", yLabel: "target \(metric)") { $0.target[0] }),
            ("\(task)_source_\(metric).svg", "Source \(metric) after transfer",
             errorPlot(title: "\(task): source test \(metric) after transfer", yLabel: "source \(metric)") { $0.source?[0] }),
        ]
        if let pacnet = illustrations[.pacnet], let finetune = illustrations[.finetune] {
            switch (pacnet, finetune) {
            case let (.trajectories(time, truth, predicted), .trajectories(_, _, tuned)):
                let plots = truth.indices.map { r in
                    LinePlot(title: "trajectory \(r + 1)", xLabel: "time (s)", yLabel: "theta (rad)", series: [
                        PlotSeries(name: "truth", x: time, y: truth[r], color: .black),
                        PlotSeries(name: "pacnet", x: time, y: predicted[r], dash: .dashed),
                        PlotSeries(name: "finetune", x: time, y: tuned[r], dash: .dotted),
                    ])
                }
                figures.append(("\(task)_trajectories.svg", "Predicted vs true target trajectories",
                                PlotGrid(title: "\(task): 5 s rollouts on the target system (seed 0, largest n_target)", columns: 3,
                                         plots: plots, sharedLegend: true).svg()))
            case let (.snapshots(x, times, truth, predicted), .snapshots(_, _, _, tuned)):
                let plots = times.indices.map { k in
                    LinePlot(title: String(format: "t = %.2f", times[k]), xLabel: "x", yLabel: "u", series: [
                        PlotSeries(name: "truth", x: x, y: truth[k], color: .black),
                        PlotSeries(name: "pacnet", x: x, y: predicted[k], dash: .dashed),
                        PlotSeries(name: "finetune", x: x, y: tuned[k], dash: .dotted),
                    ])
                }
                figures.append(("\(task)_snapshots.svg", "u(x, t) snapshots: truth vs PAC-Net vs fine-tune",
                                PlotGrid(title: "\(task): target u(x, t) (nu = 0.02; seed 0, largest n_target)", columns: 2,
                                         plots: plots, sharedLegend: true).svg()))
            default:
                break
            }
        }
        return figures
    }
}
