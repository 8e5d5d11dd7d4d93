/// A 2-D field drawn as coloured cells with a colour bar, e.g. u(x, t) of the Burgers
/// equation. Put several side by side (truth / method / error) with `PlotGrid`.
///
/// `values[row][column]`: rows run along y, the first row at the bottom (`yRange.lowerBound`),
/// columns along x from `xRange.lowerBound`. The ranges are the outer edges of the cell grid.
/// Ragged rows are cut to the shortest row. Non-finite values are drawn grey.
///
/// ```swift
/// // u[t][x]: time upwards, space to the right.
/// let panel = Heatmap(title: "truth", xLabel: "x", yLabel: "t", values: u,
///                     xRange: -1...1, yRange: 0...1, colorbarLabel: "u")
/// ```
public struct Heatmap: Sendable, Equatable {
    /// Title above the plot area; empty for none.
    public var title: String
    /// Horizontal axis label; empty for none.
    public var xLabel: String
    /// Vertical axis label; empty for none.
    public var yLabel: String
    /// The field, `values[row][column]` (row 0 at the bottom).
    public var values: [[Double]]
    /// Horizontal extent of the cell grid.
    public var xRange: ClosedRange<Double>
    /// Vertical extent of the cell grid.
    public var yRange: ClosedRange<Double>
    /// The colour map.
    public var colormap: Colormap
    /// Values mapped to the colour map's ends (values outside are clamped); `nil` uses
    /// `resolvedValueRange`'s automatic choice. Set the same range on panels that should be
    /// compared colour for colour.
    public var valueRange: ClosedRange<Double>?
    /// Label beside the colour bar; empty for none.
    public var colorbarLabel: String

    /// A heatmap of `values` (`values[row][column]`, row 0 at the bottom) over `xRange` × `yRange`.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", values: [[Double]],
                xRange: ClosedRange<Double> = 0...1, yRange: ClosedRange<Double> = 0...1,
                colormap: Colormap = .diverging, valueRange: ClosedRange<Double>? = nil, colorbarLabel: String = "") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.values = values
        self.xRange = xRange
        self.yRange = yRange
        self.colormap = colormap
        self.valueRange = valueRange
        self.colorbarLabel = colorbarLabel
    }

    /// The number of rows and of columns drawn (the shortest row sets the columns).
    public var gridSize: (rows: Int, columns: Int) {
        let columns = values.map(\.count).min() ?? 0
        return columns == 0 ? (0, 0) : (values.count, columns)
    }

    /// The colour bar's range: `valueRange` if set and non-degenerate; otherwise, for
    /// `.diverging`, symmetric about zero (`-m...m`, m the largest finite |value|) and, for
    /// `.sequential`, the finite values' minimum and maximum. A constant or empty field gets
    /// a small range around its value.
    public var resolvedValueRange: ClosedRange<Double> {
        if let valueRange, valueRange.lowerBound.isFinite, valueRange.upperBound.isFinite,
           valueRange.upperBound > valueRange.lowerBound {
            return valueRange
        }
        let finite = values.joined().filter(\.isFinite)
        var lo: Double, hi: Double
        if colormap == .diverging {
            let m = finite.map(abs).max() ?? 0
            (lo, hi) = (-m, m)
        } else {
            (lo, hi) = (finite.min() ?? 0, finite.max() ?? 1)
        }
        let magnitude = max(abs(lo), abs(hi))
        if hi - lo <= magnitude * 1e-12 {
            (lo, hi) = magnitude == 0 ? (colormap == .diverging ? (-1, 1) : (0, 1)) : (lo - 0.1 * magnitude, hi + 0.1 * magnitude)
        }
        return lo...hi
    }

    /// The same field with x and y swapped (`values[column][row]`).
    public func transposed() -> Heatmap {
        let (rows, columns) = gridSize
        let swapped = (0..<columns).map { c in (0..<rows).map { r in values[r][c] } }
        return Heatmap(title: title, xLabel: yLabel, yLabel: xLabel, values: swapped, xRange: yRange, yRange: xRange,
                       colormap: colormap, valueRange: valueRange, colorbarLabel: colorbarLabel)
    }

    /// The heatmap as a standalone SVG document string.
    public func svg(width: Double = 480, height: Double = 380) -> String {
        document(width: width, height: height).render()
    }

    /// The heatmap as an `SVGDocument` of the given size.
    public func document(width: Double = 480, height: Double = 380) -> SVGDocument {
        SVGDocument(width: width, height: height, elements: elements(in: SVGRect(x: 0, y: 0, width: width, height: height)),
                    title: title.isEmpty ? nil : title)
    }

    /// The heatmap's elements filling `frame` (title, axes, cells, colour bar).
    public func elements(in frame: SVGRect) -> [SVGElement] {
        let range = resolvedValueRange
        let barWidth = 14.0, gap = 12.0
        // Colour-bar ticks depend only on the range and the bar's height (about the plot's).
        let provisionalHeight = max(frame.height - 60, 10)
        func barTicks(height: Double) -> AxisTicks {
            AxisTicks.make(scale: .linear, lower: range.lowerBound, upper: range.upperBound,
                           targetCount: min(max(Int(height / 45), 2), 8), expand: false)
        }
        let labelWidth = barTicks(height: provisionalHeight).labels.map { TextMetrics.width($0, fontSize: PlotFonts.tick) }.max() ?? 0
        let reserve = gap + barWidth + PlotAxesLayout.tickLength + 3 + labelWidth + (colorbarLabel.isEmpty ? 0 : 8 + PlotFonts.label) + 4
        let layout = PlotAxesLayout(frame: frame, title: title, xLabel: xLabel, yLabel: yLabel,
                                    xScale: .linear, xRange: (xRange.lowerBound, xRange.upperBound), expandX: false,
                                    yScale: .linear, yRange: (yRange.lowerBound, yRange.upperBound), expandY: false,
                                    rightReserve: reserve)
        let area = layout.plotArea
        var out: [SVGElement] = [.rect(area, style: SVGStyle(fill: "#EEEEEE"))]
        out.append(.group(cells(in: area, range: range), style: SVGStyle(crispEdges: true)))
        out += layout.axisElements()

        // Colour bar: stacked strips, ticks and labels on its right.
        let bar = SVGRect(x: area.maxX + gap, y: area.minY, width: barWidth, height: area.height)
        let strips = 96
        var barElements: [SVGElement] = []
        for k in 0..<strips {
            let h = bar.height / Double(strips)
            let y = bar.maxY - Double(k + 1) * h
            barElements.append(.rect(SVGRect(x: bar.x, y: k == strips - 1 ? y : y - 0.4, width: bar.width, height: k == strips - 1 ? h : h + 0.4),
                                     style: SVGStyle(fill: colormap.color(at: (Double(k) + 0.5) / Double(strips)).hex)))
        }
        out.append(.group(barElements, style: SVGStyle(crispEdges: true)))
        var barAxis: [SVGElement] = [.rect(bar, style: SVGStyle(fill: "none", stroke: PlotFonts.axisColor, strokeWidth: 0.8))]
        let ticks = barTicks(height: bar.height)
        let tickStyle = SVGStyle(stroke: PlotFonts.axisColor, strokeWidth: 1)
        for (i, v) in ticks.major.enumerated() {
            guard let f = ticks.fraction(of: v) else { continue }
            let y = bar.maxY - f * bar.height
            barAxis.append(.line(from: SVGPoint(x: bar.maxX, y: y), to: SVGPoint(x: bar.maxX + PlotAxesLayout.tickLength, y: y), style: tickStyle))
            barAxis.append(.text(ticks.labels[i], at: SVGPoint(x: bar.maxX + PlotAxesLayout.tickLength + 3, y: y + PlotFonts.tick * 0.35),
                                 style: SVGTextStyle(fontSize: PlotFonts.tick, fill: PlotFonts.textColor)))
        }
        if !colorbarLabel.isEmpty {
            let size = PlotFonts.fitting(colorbarLabel, preferred: PlotFonts.label, width: bar.height)
            barAxis.append(.text(PlotFonts.truncated(colorbarLabel, fontSize: size, width: bar.height),
                                 at: SVGPoint(x: bar.maxX + PlotAxesLayout.tickLength + 3 + labelWidth + 8 + size * 0.8, y: bar.midY),
                                 style: SVGTextStyle(fontSize: size, anchor: .middle, rotation: -90, fill: PlotFonts.textColor)))
        }
        out.append(.group(barAxis))
        return out
    }

    /// The cells as rectangles, merging horizontal runs of equal colour. Neighbouring cells
    /// overlap by a fraction of a pixel so no seams show between them.
    private func cells(in area: SVGRect, range: ClosedRange<Double>) -> [SVGElement] {
        let (rows, columns) = gridSize
        guard rows > 0, columns > 0 else { return [] }
        let cw = area.width / Double(columns), ch = area.height / Double(rows)
        let span = range.upperBound - range.lowerBound
        func color(_ v: Double) -> String {
            v.isFinite ? colormap.color(at: (v - range.lowerBound) / span).hex : "#BDBDBD"
        }
        var out: [SVGElement] = []
        out.reserveCapacity(rows * columns / 2)
        for r in 0..<rows {
            let top = area.maxY - Double(r + 1) * ch
            let overlapY = r == rows - 1 ? 0 : 0.4
            var c = 0
            while c < columns {
                let fill = color(values[r][c])
                var end = c + 1
                while end < columns, color(values[r][end]) == fill { end += 1 }
                let overlapX = end == columns ? 0 : 0.4
                out.append(.rect(SVGRect(x: area.minX + Double(c) * cw, y: top - overlapY,
                                         width: Double(end - c) * cw + overlapX, height: ch + overlapY),
                                 style: SVGStyle(fill: fill)))
                c = end
            }
        }
        return out
    }
}
