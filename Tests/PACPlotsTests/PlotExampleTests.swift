@testable import PACPlots
import Foundation
import Testing

/// The report's plot kinds on realistic data. Each must be valid SVG; with the environment
/// variable `PACNET_SVG_EXAMPLES` set to a directory, the examples are also written there for
/// inspection (e.g. `PACNET_SVG_EXAMPLES=/tmp/svg-examples swift test --filter PlotExample`).
struct PlotExampleTests {
    static func transferCurves() -> LinePlot {
        let n: [Double] = [10, 20, 50, 100, 200, 500, 1000]
        func curve(_ a: Double, _ b: Double) -> [Double] { n.map { a * pow($0, -b) + 0.05 } }
        var plot = LinePlot(title: "Friedman transfer: target RMSE vs n_target", xLabel: "n_target (samples)",
                            yLabel: "target RMSE", xScale: .log10, yScale: .log10)
        let methods: [(String, [Double], PlotMarker)] = [
            ("scratch", curve(8, 0.45), .circle), ("fine-tune", curve(4, 0.4), .square),
            ("L2-SP", curve(3.5, 0.42), .triangle), ("PAC-Net", curve(2.2, 0.45), .diamond),
        ]
        for (name, y, marker) in methods {
            plot.add(PlotSeries(name: name, x: n, y: y, errors: y.map { $0 * 0.12 }, marker: marker))
        }
        return plot
    }

    static func pendulum() -> LinePlot {
        let t = Array(stride(from: 0.0, through: 10, by: 0.05))
        let truth = t.map { 0.8 * exp(-0.08 * $0) * cos(2.1 * $0) }
        let pac = t.map { 0.8 * exp(-0.085 * $0) * cos(2.09 * $0) }
        let fine = t.map { 0.78 * exp(-0.06 * $0) * cos(2.16 * $0) }
        return LinePlot(title: "Pendulum: predicted vs true trajectory", xLabel: "time t [s]", yLabel: "θ(t) [rad]", series: [
            PlotSeries(name: "true", x: t, y: truth, color: .black),
            PlotSeries(name: "PAC-Net", x: t, y: pac, dash: .dashed),
            PlotSeries(name: "fine-tune", x: t, y: fine, dash: .dotted),
        ])
    }

    static func burgers(x: Double, t: Double, nu: Double = 0.01 / .pi) -> Double {
        // A smooth stand-in for the viscous Burgers solution: a steepening, decaying wave.
        -sin(.pi * (x - 0.3 * t * -sin(.pi * x))) * exp(-nu * .pi * .pi * t) * (1 - 0.25 * t)
    }

    static func burgersSnapshots() -> PlotGrid {
        let x = Array(stride(from: -1.0, through: 1, by: 0.02))
        let plots = [0.0, 0.25, 0.5, 0.75].map { t in
            LinePlot(title: "t = \(t)", xLabel: "x", yLabel: "u(x, t)", series: [
                PlotSeries(name: "truth", x: x, y: x.map { burgers(x: $0, t: t) }, color: .black),
                PlotSeries(name: "PAC-Net", x: x, y: x.map { burgers(x: $0, t: t) + 0.02 * sin(5 * $0) }, dash: .dashed),
                PlotSeries(name: "fine-tune", x: x, y: x.map { burgers(x: $0, t: t) * 1.08 }, dash: .dotted),
            ])
        }
        return PlotGrid(title: "Burgers u(x,t) snapshots (truth vs PAC-Net vs fine-tune)", columns: 2, plots: plots,
                        sharedLegend: true)
    }

    static func burgersHeatmaps() -> PlotGrid {
        let xs = (0..<128).map { -1 + 2 * (Double($0) + 0.5) / 128 }
        let ts = (0..<50).map { (Double($0) + 0.5) / 50 }
        let truth = ts.map { t in xs.map { burgers(x: $0, t: t) } }
        let method = ts.map { t in xs.map { burgers(x: $0, t: t) + 0.03 * sin(4 * $0 + 3 * t) } }
        let error = zip(method, truth).map { zip($0, $1).map { $0 - $1 } }
        let shared: ClosedRange<Double> = -1...1
        return PlotGrid(title: "Burgers u(x, t): truth / PAC-Net / error", columns: 3, panels: [
            .heatmap(Heatmap(title: "truth", xLabel: "x", yLabel: "t", values: truth, xRange: -1...1, yRange: 0...1,
                             valueRange: shared, colorbarLabel: "u")),
            .heatmap(Heatmap(title: "PAC-Net", xLabel: "x", yLabel: "t", values: method, xRange: -1...1, yRange: 0...1,
                             valueRange: shared, colorbarLabel: "u")),
            .heatmap(Heatmap(title: "PAC-Net − truth", xLabel: "x", yLabel: "t", values: error, xRange: -1...1, yRange: 0...1,
                             colorbarLabel: "error")),
        ])
    }

    static func edgeCases() -> PlotGrid {
        let x = Array(stride(from: 0.0, through: 10, by: 0.1))
        return PlotGrid(title: "Edge cases", columns: 3, plots: [
            LinePlot(title: "single point", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "one", x: [3], y: [7])]),
            LinePlot(title: "constant series", xLabel: "x", yLabel: "y",
                     series: [PlotSeries(name: "flat", x: [1, 2, 3], y: [2, 2, 2], marker: .circle)]),
            LinePlot(title: "empty", xLabel: "x", yLabel: "y", series: [PlotSeries(name: "nothing", x: [], y: [])]),
            LinePlot(title: "crowded: legend moves outside", xLabel: "x", yLabel: "y", series: [
                PlotSeries(name: "top", x: x, y: x.map { _ in 1 }), PlotSeries(name: "bottom", x: x, y: x.map { _ in 0 }),
                PlotSeries(name: "zigzag", x: x, y: x.map { $0.truncatingRemainder(dividingBy: 1) }, dash: .dashDot),
            ]),
            LinePlot(title: "log y: 12 decades, y ≤ 0 skipped", xLabel: "epoch", yLabel: "loss", yScale: .log10, series: [
                PlotSeries(name: "loss", x: x, y: x.map { $0 < 0.5 ? 0 : pow(10, 6 - 1.2 * $0) }, marker: .cross),
            ]),
            LinePlot(title: "A very long subplot title that certainly does not fit the cell width at all",
                     xLabel: "a long x-axis label with units [m s^-1] and more words", yLabel: "long y label <with> & symbols",
                     series: [PlotSeries(name: "s", x: [-5e-5, 0, 5e-5], y: [2e6, 3e6, 2.5e6], errors: [1e5, 2e5, 3e5], marker: .triangle)]),
        ], sharedLegend: false)
    }

    static var examples: [(String, String)] {
        [
            ("transfer_curves.svg", transferCurves().svg()),
            ("pendulum.svg", pendulum().svg()),
            ("edge_cases.svg", edgeCases().svg(cellWidth: 330, cellHeight: 260)),
            ("burgers_snapshots.svg", burgersSnapshots().svg()),
            ("burgers_heatmaps.svg", burgersHeatmaps().svg(cellWidth: 340, cellHeight: 300)),
            ("heatmap.svg", Heatmap(title: "u(x, t) truth", xLabel: "t", yLabel: "x",
                                    values: burgersHeatmaps().panels.first.map { if case .heatmap(let h) = $0 { h.transposed().values } else { [] } } ?? [],
                                    xRange: 0...1, yRange: -1...1, colormap: .sequential, colorbarLabel: "u").svg()),
        ]
    }

    @Test func examplesAreValidAndOptionallyWritten() throws {
        let directory = ProcessInfo.processInfo.environment["PACNET_SVG_EXAMPLES"]
        if let directory { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        for (name, svg) in Self.examples {
            let parsed = ParsedSVG(svg)
            #expect(parsed.parsed, "\(name): \(parsed.errorDescription ?? "")")
            #expect(isFreeOfNonFiniteNumbers(svg), "\(name)")
            if let directory { try svg.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        }
        let curves = ParsedSVG(Self.transferCurves().svg()).texts
        for label in ["10", "100", "1000", "scratch", "PAC-Net"] { #expect(curves.contains(label)) }
    }
}
