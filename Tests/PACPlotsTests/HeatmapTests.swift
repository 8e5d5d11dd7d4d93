@testable import PACPlots
import Foundation
import Testing

/// `Heatmap`: cells, diverging colours, colour bar, degenerate fields.
struct HeatmapTests {
    static func field(rows: Int = 20, columns: Int = 30) -> [[Double]] {
        (0..<rows).map { r in (0..<columns).map { c in sin(Double(c) / 4) * Double(r) / Double(rows) } }
    }

    @Test func rendersCellsAndAColorbar() {
        let map = Heatmap(title: "u(x, t) <truth>", xLabel: "x", yLabel: "t", values: Self.field(),
                          xRange: -1...1, yRange: 0...1, colorbarLabel: "u & v")
        let svg = map.svg()
        let parsed = ParsedSVG(svg)
        #expect(parsed.parsed, "\(parsed.errorDescription ?? "")")
        #expect(parsed.texts.contains("u(x, t) <truth>"))
        #expect(parsed.texts.contains("u & v"))
        #expect(parsed.texts.contains("x") && parsed.texts.contains("t"))
        // The colour bar: 96 strips in a frame, to the right of the plot area, with tick labels.
        let area = parsed.plotAreas[0]
        let strips = parsed.all("rect").filter { $0.number("x") > area.maxX && $0.attributes["fill"]?.hasPrefix("#") == true }
        #expect(strips.count == 96)
        #expect(parsed.all("rect").contains { $0.number("x") > area.maxX && $0.attributes["fill"] == "none" })
        #expect(parsed.texts.contains("0"))
        #expect(isFreeOfNonFiniteNumbers(svg))
    }

    @Test func divergingRangeIsSymmetricAboutZero() {
        #expect(Heatmap(values: [[-0.5, 2]]).resolvedValueRange == -2...2)
        #expect(Heatmap(values: [[-0.5, 2]], colormap: .sequential).resolvedValueRange == -0.5...2)
        #expect(Heatmap(values: [[-0.5, 2]], valueRange: 0...1).resolvedValueRange == 0...1)
        #expect(Heatmap(values: [[3, 3]], colormap: .sequential).resolvedValueRange.upperBound > 3)
        #expect(Heatmap(values: []).resolvedValueRange == -1...1)
        #expect(Heatmap(values: [[.nan]]).resolvedValueRange == -1...1)
    }

    @Test func extremesTakeTheColormapEnds() {
        let svg = Heatmap(values: [[-1, 0, 1]]).svg()
        #expect(svg.contains("fill=\"\(Colormap.diverging.color(at: 0).hex)\""))
        #expect(svg.contains("fill=\"\(Colormap.diverging.color(at: 1).hex)\""))
        #expect(Colormap.diverging.color(at: 0).hex == "#053061")
        #expect(Colormap.diverging.color(at: 0.5).hex == "#F7F7F7")
        #expect(Colormap.sequential.color(at: 1).hex == "#FDE725")
    }

    @Test func cellsFillThePlotAreaRowZeroAtTheBottom() throws {
        let map = Heatmap(values: [[-1, -1], [1, 1]])
        let parsed = ParsedSVG(map.svg())
        let area = try #require(parsed.plotAreas.first)
        let blue = try #require(parsed.all("rect").first { $0.attributes["fill"] == "#053061" && $0.number("x") < area.maxX }).rect
        let red = try #require(parsed.all("rect").first { $0.attributes["fill"] == "#67001F" && $0.number("x") < area.maxX }).rect
        // Equal colours in a row merge into one rectangle spanning the width.
        #expect(abs(blue.width - area.width) < 0.02 && abs(red.width - area.width) < 0.02)
        #expect(abs(blue.maxY - area.maxY) < 0.02)
        #expect(abs(red.minY - area.minY) < 0.02)
    }

    @Test(arguments: [[[Double]](), [[]], [[5]], [[2, 2], [2, 2]], [[Double.nan, Double.infinity], [-Double.infinity, 1]], [[1, 2, 3], [4]]])
    func degenerateFieldsRenderWithoutNonFiniteNumbers(_ values: [[Double]]) {
        for colormap in [Colormap.diverging, .sequential] {
            let svg = Heatmap(title: "t", values: values, xRange: 0...0, colormap: colormap).svg()
            #expect(isFreeOfNonFiniteNumbers(svg))
            #expect(ParsedSVG(svg).parsed)
        }
    }

    @Test func transposeSwapsAxes() {
        let map = Heatmap(xLabel: "x", yLabel: "t", values: [[1, 2, 3], [4, 5, 6]], xRange: 0...3, yRange: 0...1)
        let t = map.transposed()
        #expect(t.values == [[1, 4], [2, 5], [3, 6]])
        #expect(t.xLabel == "t" && t.yLabel == "x" && t.xRange == 0...1 && t.yRange == 0...3)
    }
}
