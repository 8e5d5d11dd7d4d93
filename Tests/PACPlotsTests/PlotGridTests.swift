@testable import PACPlots
import Foundation
import Testing

/// `PlotGrid`: small multiples of line plots and heatmaps in one SVG.
struct PlotGridTests {
    static func snapshot(_ t: Double) -> LinePlot {
        let x = Array(stride(from: -1.0, through: 1, by: 0.05))
        return LinePlot(title: "t = \(t)", xLabel: "x", yLabel: "u", series: [
            PlotSeries(name: "truth", x: x, y: x.map { -sin(.pi * $0) * exp(-t) }, color: .black),
            PlotSeries(name: "PAC-Net", x: x, y: x.map { -sin(.pi * $0) * exp(-t) * 0.97 }, dash: .dashed),
            PlotSeries(name: "fine-tune", x: x, y: x.map { -sin(.pi * $0) * exp(-t) * 1.05 }, dash: .dotted),
        ])
    }

    @Test func fourSubplotsRenderFourTitles() {
        let grid = PlotGrid(title: "Burgers u(x,t) snapshots", columns: 2, plots: [0, 0.25, 0.5, 0.75].map(Self.snapshot))
        let svg = grid.svg()
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed, "\(parsed.errorDescription ?? "")")
        for t in ["0.0", "0.25", "0.5", "0.75"] { #expect(parsed.texts.filter { $0 == "t = \(t)" }.count == 1) }
        #expect(parsed.texts.contains("Burgers u(x,t) snapshots"))
        #expect(parsed.plotAreas.count == 4)
        #expect(parsed.all("svg")[0].attributes["width"] == "720")
        // Each plot keeps its own legend.
        #expect(parsed.texts.filter { $0 == "PAC-Net" }.count == 4)
        #expect(isFreeOfNonFiniteNumbers(svg))
    }

    @Test func sharedLegendAppearsOnceBelowTheGrid() throws {
        let grid = PlotGrid(columns: 2, plots: [0, 0.5, 1].map(Self.snapshot), sharedLegend: true)
        let document = grid.document(cellWidth: 300, cellHeight: 240)
        #expect(document.height > 2 * 240)
        let parsed = ParsedSVG(document.render())
        for name in ["truth", "PAC-Net", "fine-tune"] { #expect(parsed.texts.filter { $0 == name }.count == 1) }
        let legendText = try #require(parsed.all("text").first { $0.attributes["font-size"] == SVGFormat.number(PlotFonts.legend) })
        #expect(legendText.number("y") > 2 * 240)
        #expect(!parsed.all("rect").contains { $0.attributes["stroke"] == "#BBBBBB" })
    }

    @Test func mixesHeatmapsAndLinePlots() {
        let field = (0..<10).map { r in (0..<10).map { c in Double(r - c) } }
        let grid = PlotGrid(columns: 3, panels: [
            .heatmap(Heatmap(title: "truth", values: field)),
            .heatmap(Heatmap(title: "PAC-Net", values: field)),
            .heatmap(Heatmap(title: "error", values: field.map { $0.map { $0 * 0.01 } })),
            .line(Self.snapshot(0)),
        ])
        #expect(grid.rows == 2)
        let parsed = ParsedSVG(grid.svg(cellWidth: 320, cellHeight: 260))
        #expect(parsed.parsed)
        for title in ["truth", "PAC-Net", "error", "t = 0.0"] { #expect(parsed.texts.contains(title)) }
        #expect(parsed.all("svg")[0].attributes["height"] == "520")
    }

    @Test func degenerateGridsStayValid() {
        for grid in [PlotGrid(columns: 0, panels: []), PlotGrid(columns: -2, plots: [LinePlot()]),
                     PlotGrid(title: "x", columns: 5, plots: [LinePlot(series: [PlotSeries(name: "a", x: [], y: [])])], sharedLegend: true)] {
            let svg = grid.svg()
            #expect(ParsedSVG(svg).parsed)
            #expect(isFreeOfNonFiniteNumbers(svg))
        }
    }
}
