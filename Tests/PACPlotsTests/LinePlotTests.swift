@testable import PACPlots
import Foundation
import Testing

/// `LinePlot`: valid XML, labels and legend, log axes, point mapping, degenerate data.
struct LinePlotTests {
    static let tricky = LinePlot(
        title: "Loss <train> & \"test\"", xLabel: "epoch <n>", yLabel: "RMSE & MAE", series: [
            PlotSeries(name: "PAC-Net <ours>", x: [0, 1, 2, 3], y: [1, 0.5, 0.3, 0.2], marker: .circle),
            PlotSeries(name: "fine-tune & freeze", x: [0, 1, 2, 3], y: [1, 0.7, 0.5, 0.45], dash: .dashed),
        ])

    @Test func rendersParsableSVGWithEscapedLabels() {
        let svg = Self.tricky.svg()
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed, "\(parsed.errorDescription ?? "")")
        #expect(parsed.rootName == "svg")
        for text in ["Loss <train> & \"test\"", "epoch <n>", "RMSE & MAE", "PAC-Net <ours>", "fine-tune & freeze"] {
            #expect(parsed.texts.contains(text), "missing \(text)")
        }
        #expect(svg.contains("Loss &lt;train&gt; &amp; &quot;test&quot;"))
        #expect(!svg.contains("<train>"))
        #expect(parsed.all("svg").first?.attributes["viewBox"] == "0 0 640 420")
    }

    @Test func logAxesLabelDecades() {
        let plot = LinePlot(title: "log", xScale: .log10, yScale: .log10, series: [
            PlotSeries(name: "s", x: [10, 30, 100, 300, 1000], y: [1000, 300, 100, 30, 10]),
        ])
        let texts = ParsedSVG(plot.svg()).texts
        for label in ["10", "100", "1000"] {
            #expect(texts.filter { $0 == label }.count == 2, "\(label) once per axis")
        }
        #expect(!texts.contains("0") && !texts.contains("500"))
    }

    @Test func linearAxisUsesNiceTicks() {
        let plot = LinePlot(series: [PlotSeries(name: "", x: [0, 1], y: [0, 0.93])])
        let texts = ParsedSVG(plot.svg()).texts
        for label in ["0.2", "0.4", "0.6", "0.8", "1.0"] { #expect(texts.contains(label)) }
    }

    @Test func dataExtremesSitOnThePlotAreaEdges() throws {
        let plot = LinePlot(series: [PlotSeries(name: "a", x: [0, 5, 10], y: [0, 2, 4])], legend: .hidden)
        let parsed = ParsedSVG(plot.svg())
        let area = try #require(parsed.plotAreas.first)
        let points = try #require(parsed.all("polyline").first).points
        #expect(points.count == 3)
        #expect(abs(points[0].x - area.minX) < 0.02 && abs(points[0].y - area.maxY) < 0.02, "min at bottom-left")
        #expect(abs(points[2].x - area.maxX) < 0.02 && abs(points[2].y - area.minY) < 0.02, "max at top-right")
        #expect(abs(points[1].x - area.midX) < 0.02 && abs(points[1].y - area.midY) < 0.02)
    }

    @Test func logAxisMinimumSitsOnTheEdge() throws {
        let plot = LinePlot(xScale: .log10, yScale: .log10,
                            series: [PlotSeries(name: "", x: [10, 100, 1000], y: [1, 10, 100])])
        let parsed = ParsedSVG(plot.svg())
        let area = try #require(parsed.plotAreas.first)
        let points = try #require(parsed.all("polyline").first).points
        #expect(abs(points[0].x - area.minX) < 0.02 && abs(points[0].y - area.maxY) < 0.02)
        #expect(abs(points[1].x - area.midX) < 0.02 && abs(points[1].y - area.midY) < 0.02)
    }

    @Test func logAxisSkipsNonPositiveValues() {
        let plot = LinePlot(yScale: .log10, series: [
            PlotSeries(name: "s", x: [0, 1, 2, 3, 4], y: [-1, 10, 0, 100, 1000], errors: [1, 20, 1, 1, 1]),
        ])
        let svg = plot.svg()
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed)
        #expect(isFreeOfNonFiniteNumbers(svg))
        // The zero at x = 2 breaks the line: one lone point (a dot) and one two-point run.
        #expect(parsed.all("polyline").map { $0.points.count } == [2])
        #expect(parsed.texts.contains("10") && parsed.texts.contains("1000"))
    }

    @Test(arguments: [
        ("single point", [PlotSeries(name: "one", x: [3], y: [7])]),
        ("constant", [PlotSeries(name: "flat", x: [1, 2, 3], y: [2, 2, 2])]),
        ("all zero", [PlotSeries(name: "zero", x: [0, 0], y: [0, 0])]),
        ("empty series", [PlotSeries(name: "empty", x: [], y: [])]),
        ("no series", []),
        ("non-finite", [PlotSeries(name: "bad", x: [.nan, 1, .infinity], y: [1, .nan, 2], errors: [.nan, .infinity, -1])]),
        ("mismatched", [PlotSeries(name: "short", x: [1, 2, 3], y: [1])]),
    ])
    func degenerateInputsRenderWithoutNonFiniteNumbers(_ name: String, _ series: [PlotSeries]) {
        for (xScale, yScale) in [(AxisScale.linear, AxisScale.linear), (.log10, .log10), (.linear, .log10)] {
            let plot = LinePlot(title: name, xLabel: "x", yLabel: "y", xScale: xScale, yScale: yScale, series: series)
            for (w, h) in [(640.0, 420.0), (120.0, 90.0), (0.0, 0.0)] {
                let svg = plot.svg(width: w, height: h)
                #expect(isFreeOfNonFiniteNumbers(svg), "\(name) \(xScale) \(yScale) \(w)x\(h)")
                #expect(ParsedSVG(svg).parsed)
            }
        }
    }

    @Test func singlePointWithoutMarkerIsStillVisible() {
        let parsed = ParsedSVG(LinePlot(series: [PlotSeries(name: "p", x: [1], y: [1])], legend: .hidden).svg())
        #expect(parsed.all("circle").count == 1)
    }

    @Test func constantSeriesIsCentredVertically() throws {
        let parsed = ParsedSVG(LinePlot(series: [PlotSeries(name: "", x: [0, 1], y: [5, 5])]).svg())
        let area = try #require(parsed.plotAreas.first)
        let points = try #require(parsed.all("polyline").first).points
        #expect(abs(points[0].y - area.midY) < 0.02)
    }

    @Test func dashStylesAndMarkers() {
        let plot = LinePlot(series: [
            PlotSeries(name: "true", x: [0, 1, 2], y: [0, 1, 0]),
            PlotSeries(name: "predicted", x: [0, 1, 2], y: [0, 0.9, 0.1], dash: .dashed),
            PlotSeries(name: "dotted", x: [0, 1, 2], y: [0.1, 0.8, 0.2], dash: .dotted),
            PlotSeries(name: "scatter", x: [0, 1, 2], y: [0.2, 0.7, 0.3], marker: .square, dash: .none),
        ], legend: .hidden)
        let parsed = ParsedSVG(plot.svg())
        let polylines = parsed.all("polyline")
        #expect(polylines.count == 3)
        #expect(polylines[0].attributes["stroke-dasharray"] == nil)
        #expect(polylines[1].attributes["stroke-dasharray"] != nil)
        #expect(polylines[2].attributes["stroke-linecap"] == "round")
        #expect(polylines[0].attributes["stroke"] == PlotColor.okabeIto[0].hex)
        #expect(polylines[1].attributes["stroke"] == PlotColor.okabeIto[1].hex)
        #expect(parsed.all("rect").filter { $0.attributes["fill"] == PlotColor.okabeIto[3].hex }.count == 3)
    }

    @Test func errorBarsWidenTheRange() {
        let plot = LinePlot(series: [PlotSeries(name: "", x: [0, 1], y: [1, 2], errors: [0.5, 3])])
        let texts = ParsedSVG(plot.svg()).texts
        #expect(texts.contains("5"))
        #expect(texts.contains("0"))
    }

    @Test func explicitLimitsClipTheData() {
        let plot = LinePlot(series: [PlotSeries(name: "", x: [0, 10], y: [0, 10])], xLimits: 2...8, yLimits: 2...8)
        let parsed = ParsedSVG(plot.svg())
        #expect(parsed.all("clipPath").count == 1)
        #expect(parsed.texts.contains("2") && parsed.texts.contains("8"))
        #expect(!parsed.texts.contains("10"))
    }

    @Test func automaticLegendAvoidsTheData() throws {
        // Data fills the top-right and top-left corners; the legend should go bottom-right.
        let x = Array(stride(from: 0.0, through: 10, by: 0.5))
        let plot = LinePlot(series: [
            PlotSeries(name: "a", x: x, y: x.map { 8 + 2 * cos($0) }),
            PlotSeries(name: "b", x: x, y: x.map { 6 + sin($0) }),
        ])
        let parsed = ParsedSVG(plot.svg())
        let legend = try #require(parsed.all("rect").first { $0.attributes["stroke"] == "#BBBBBB" }).rect
        for polyline in parsed.all("polyline") {
            for (a, b) in zip(polyline.points, polyline.points.dropFirst()) {
                #expect(!legend.intersectsSegment(from: a, to: b))
            }
        }
    }

    @Test func crowdedDataPutsTheLegendOutside() throws {
        let x = Array(stride(from: 0.0, through: 10, by: 0.1))
        let plot = LinePlot(series: [
            PlotSeries(name: "top", x: x, y: x.map { _ in 1 }),
            PlotSeries(name: "bottom", x: x, y: x.map { _ in 0 }),
            PlotSeries(name: "zigzag", x: x, y: x.map { $0.truncatingRemainder(dividingBy: 1) }),
        ])
        let parsed = ParsedSVG(plot.svg())
        let area = try #require(parsed.plotAreas.first)
        let legend = try #require(parsed.all("rect").first { $0.attributes["stroke"] == "#BBBBBB" }).rect
        #expect(legend.minX > area.maxX)
        #expect(legend.maxX <= 640)
    }

    @Test func legendListsOnlyNamedSeries() {
        let plot = LinePlot(series: [PlotSeries(name: "", x: [0, 1], y: [0, 1]), PlotSeries(name: "named", x: [0, 1], y: [1, 0])])
        let texts = ParsedSVG(plot.svg()).texts
        #expect(texts.filter { $0 == "named" }.count == 1)
    }

    @Test func longTitlesAreShrunkToFit() throws {
        let title = String(repeating: "Burgers transfer ", count: 8)
        let parsed = ParsedSVG(LinePlot(title: title).svg(width: 300, height: 200))
        let text = try #require(parsed.all("text").last)
        let size = text.number("font-size")
        #expect(size < PlotFonts.title && size >= 11)
        #expect(parsed.texts.last!.hasSuffix("…"))
        let width = TextMetrics.width(parsed.texts.last!, fontSize: size, bold: true)
        #expect(text.number("x") - width / 2 >= 0 && text.number("x") + width / 2 <= 300)
    }
}
