/// The placement of one plot's axes inside a frame: the plot area, both axes' ticks, and the
/// title and axis labels around them. Shared by `LinePlot` and `Heatmap`.
struct PlotAxesLayout: Sendable, Equatable {
    var frame: SVGRect
    var plotArea: SVGRect
    var xTicks: AxisTicks
    var yTicks: AxisTicks
    var title: String
    var xLabel: String
    var yLabel: String

    static let tickLength = 5.0

    /// Lays out a plot in `frame`, reserving `rightReserve` pixels right of the plot area (for a
    /// legend or colour bar). Ticks come from `xRange`/`yRange` on each scale; with `expand`
    /// the domains grow to nice tick values.
    init(frame: SVGRect, title: String, xLabel: String, yLabel: String,
         xScale: AxisScale, xRange: (Double, Double), expandX: Bool,
         yScale: AxisScale, yRange: (Double, Double), expandY: Bool, rightReserve: Double) {
        self.frame = frame
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        let tickFont = PlotFonts.tick, labelFont = PlotFonts.label
        let top = title.isEmpty ? 12 : PlotFonts.title + 16
        let bottom = Self.tickLength + 4 + tickFont + (xLabel.isEmpty ? 8 : 10 + labelFont + 6)
        let plotHeight = max(frame.height - top - bottom, 10)
        let yTarget = min(max(Int(plotHeight / 50), 2), 8)
        let yTicks = AxisTicks.make(scale: yScale, lower: yRange.0, upper: yRange.1, targetCount: yTarget, expand: expandY)
        let yTickWidth = yTicks.labels.map { TextMetrics.width($0, fontSize: tickFont) }.max() ?? 0
        let left = 6 + (yLabel.isEmpty ? 0 : labelFont + 8) + yTickWidth + Self.tickLength + 4

        func xTicks(width: Double) -> AxisTicks {
            var target = min(max(Int(width / 65), 2), 10)
            while true {
                let ticks = AxisTicks.make(scale: xScale, lower: xRange.0, upper: xRange.1, targetCount: target, expand: expandX)
                let widest = ticks.labels.map { TextMetrics.width($0, fontSize: tickFont) }.max() ?? 0
                let positions = ticks.major.compactMap { ticks.fraction(of: $0).map { $0 * width } }
                let spacing = zip(positions.dropFirst(), positions).map { $0 - $1 }.min() ?? .infinity
                if spacing >= widest + 10 || target <= 2 { return ticks }
                target -= 1
            }
        }
        var right = 12 + rightReserve
        var width = max(frame.width - left - right, 10)
        var ticks = xTicks(width: width)
        // Room for half of the last tick label when it sits near the right edge.
        if rightReserve == 0, let last = ticks.major.last, let label = ticks.labels.last,
           let f = ticks.fraction(of: last) {
            let overhang = TextMetrics.width(label, fontSize: tickFont) / 2 - (1 - f) * width + 4
            if overhang > right {
                right = overhang
                width = max(frame.width - left - right, 10)
                ticks = xTicks(width: width)
            }
        }
        plotArea = SVGRect(x: frame.minX + left, y: frame.minY + top, width: width, height: plotHeight)
        self.xTicks = ticks
        self.yTicks = yTicks
    }

    /// Pixel position of a data point, or `nil` if either scale cannot show it.
    func pixel(x: Double, y: Double) -> SVGPoint? {
        guard let fx = xTicks.fraction(of: x), let fy = yTicks.fraction(of: y) else { return nil }
        return SVGPoint(x: plotArea.minX + fx * plotArea.width, y: plotArea.maxY - fy * plotArea.height)
    }

    /// Pixel x of a data value (`nil` if the scale cannot show it).
    func pixelX(_ x: Double) -> Double? { xTicks.fraction(of: x).map { plotArea.minX + $0 * plotArea.width } }

    /// Pixel y of a data value (`nil` if the scale cannot show it).
    func pixelY(_ y: Double) -> Double? { yTicks.fraction(of: y).map { plotArea.maxY - $0 * plotArea.height } }

    /// Gridlines under the data: major ticks solid, minor (log) ticks fainter.
    func gridElements() -> [SVGElement] {
        var out: [SVGElement] = []
        let minor = SVGStyle(stroke: PlotFonts.minorGridColor, strokeWidth: 0.8)
        let major = SVGStyle(stroke: PlotFonts.gridColor, strokeWidth: 1)
        for (values, style) in [(xTicks.minor, minor), (xTicks.major, major)] {
            for v in values { if let x = pixelX(v) { out.append(.line(from: SVGPoint(x: x, y: plotArea.minY), to: SVGPoint(x: x, y: plotArea.maxY), style: style)) } }
        }
        for (values, style) in [(yTicks.minor, minor), (yTicks.major, major)] {
            for v in values { if let y = pixelY(v) { out.append(.line(from: SVGPoint(x: plotArea.minX, y: y), to: SVGPoint(x: plotArea.maxX, y: y), style: style)) } }
        }
        return [.group(out, style: SVGStyle(crispEdges: true))]
    }

    /// The axes box, tick marks, tick labels, axis labels and title, drawn over the data.
    func axisElements() -> [SVGElement] {
        let tickFont = PlotFonts.tick, labelFont = PlotFonts.label
        var lines: [SVGElement] = [.rect(plotArea, style: SVGStyle(fill: "none", stroke: PlotFonts.axisColor, strokeWidth: 1))]
        var texts: [SVGElement] = []
        let tickStyle = SVGStyle(stroke: PlotFonts.axisColor, strokeWidth: 1)
        let labelStyle = SVGTextStyle(fontSize: tickFont, anchor: .middle, fill: PlotFonts.textColor)
        for (i, v) in xTicks.major.enumerated() {
            guard let x = pixelX(v) else { continue }
            lines.append(.line(from: SVGPoint(x: x, y: plotArea.maxY), to: SVGPoint(x: x, y: plotArea.maxY + Self.tickLength), style: tickStyle))
            texts.append(.text(xTicks.labels[i], at: SVGPoint(x: x, y: plotArea.maxY + Self.tickLength + 3 + tickFont * 0.8), style: labelStyle))
        }
        for v in xTicks.minor {
            guard let x = pixelX(v) else { continue }
            lines.append(.line(from: SVGPoint(x: x, y: plotArea.maxY), to: SVGPoint(x: x, y: plotArea.maxY + Self.tickLength * 0.6), style: tickStyle))
        }
        var yLabelStyle = labelStyle
        yLabelStyle.anchor = .end
        for (i, v) in yTicks.major.enumerated() {
            guard let y = pixelY(v) else { continue }
            lines.append(.line(from: SVGPoint(x: plotArea.minX - Self.tickLength, y: y), to: SVGPoint(x: plotArea.minX, y: y), style: tickStyle))
            texts.append(.text(yTicks.labels[i], at: SVGPoint(x: plotArea.minX - Self.tickLength - 3, y: y + tickFont * 0.35), style: yLabelStyle))
        }
        for v in yTicks.minor {
            guard let y = pixelY(v) else { continue }
            lines.append(.line(from: SVGPoint(x: plotArea.minX - Self.tickLength * 0.6, y: y), to: SVGPoint(x: plotArea.minX, y: y), style: tickStyle))
        }
        if !xLabel.isEmpty {
            let size = PlotFonts.fitting(xLabel, preferred: labelFont, width: frame.width - 8)
            let text = PlotFonts.truncated(xLabel, fontSize: size, width: frame.width - 8)
            let center = Self.centered(TextMetrics.width(text, fontSize: size), preferred: plotArea.midX, in: frame)
            texts.append(.text(text, at: SVGPoint(x: center, y: plotArea.maxY + Self.tickLength + 4 + tickFont + 10 + size * 0.8),
                               style: SVGTextStyle(fontSize: size, anchor: .middle, fill: PlotFonts.textColor)))
        }
        if !yLabel.isEmpty {
            let size = PlotFonts.fitting(yLabel, preferred: labelFont, width: frame.height - 8)
            let text = PlotFonts.truncated(yLabel, fontSize: size, width: frame.height - 8)
            let vertical = SVGRect(x: frame.minY, y: 0, width: frame.height, height: 0)
            let center = Self.centered(TextMetrics.width(text, fontSize: size), preferred: plotArea.midY, in: vertical)
            texts.append(.text(text, at: SVGPoint(x: frame.minX + 6 + size * 0.8, y: center),
                               style: SVGTextStyle(fontSize: size, anchor: .middle, rotation: -90, fill: PlotFonts.textColor)))
        }
        if !title.isEmpty {
            let size = PlotFonts.fitting(title, preferred: PlotFonts.title, width: frame.width - 8, bold: true, minimum: 11)
            let text = PlotFonts.truncated(title, fontSize: size, width: frame.width - 8, bold: true)
            let center = Self.centered(TextMetrics.width(text, fontSize: size, bold: true), preferred: plotArea.midX, in: frame)
            texts.append(.text(text, at: SVGPoint(x: center, y: frame.minY + 6 + size * 0.85),
                               style: SVGTextStyle(fontSize: size, anchor: .middle, fill: PlotFonts.textColor, bold: true)))
        }
        return [.group(lines, style: SVGStyle(crispEdges: true))] + texts
    }

    /// The centre for text of `width` as close to `preferred` as keeps it inside `bounds`
    /// horizontally.
    static func centered(_ width: Double, preferred: Double, in bounds: SVGRect) -> Double {
        let half = width / 2
        let lo = bounds.minX + 4 + half, hi = bounds.maxX - 4 - half
        return lo > hi ? bounds.midX : min(max(preferred, lo), hi)
    }
}
