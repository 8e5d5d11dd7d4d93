/// A 2-D line chart: several named series on linear or log10 axes, with nice ticks,
/// gridlines, optional error bars and markers, per-series dash styles and a legend.
///
/// ```swift
/// var plot = LinePlot(title: "Pendulum", xLabel: "t [s]", yLabel: "θ [rad]")
/// plot.add(PlotSeries(name: "true", x: t, y: theta))
/// plot.add(PlotSeries(name: "PAC-Net", x: t, y: predicted, dash: .dashed))
/// let markup = plot.svg()
/// ```
///
/// Axis domains cover all drawable data (error bars included) and, unless limits are given,
/// grow to the enclosing nice ticks (decades on log axes), so data at a tick value sits on the
/// plot area's edge. On a log axis, points with a zero or negative coordinate are skipped
/// (lines break there) and error bars reaching zero or below are cut at the axis edge. A single
/// point, a constant series or no data at all still give a finite, labelled domain.
public struct LinePlot: Sendable, Equatable {
    /// Title above the plot area; empty for none.
    public var title: String
    /// Horizontal axis label; empty for none.
    public var xLabel: String
    /// Vertical axis label; empty for none.
    public var yLabel: String
    /// Horizontal scale.
    public var xScale: AxisScale
    /// Vertical scale.
    public var yScale: AxisScale
    /// Fixed horizontal extent (no expansion to ticks; data outside is clipped); `nil` fits the data.
    public var xLimits: ClosedRange<Double>?
    /// Fixed vertical extent (no expansion to ticks; data outside is clipped); `nil` fits the data.
    public var yLimits: ClosedRange<Double>?
    /// The curves, drawn in order (later ones on top).
    public var series: [PlotSeries]
    /// Where the legend goes; only series with non-empty names appear in it.
    public var legend: LegendPosition
    /// Whether to draw gridlines at the ticks.
    public var showGrid: Bool

    /// A plot of `series`; all parts are optional and can be set later.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", xScale: AxisScale = .linear,
                yScale: AxisScale = .linear, series: [PlotSeries] = [], legend: LegendPosition = .automatic,
                showGrid: Bool = true, xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.legend = legend
        self.showGrid = showGrid
        self.xLimits = xLimits
        self.yLimits = yLimits
    }

    /// Appends a series (drawn on top of the existing ones).
    public mutating func add(_ newSeries: PlotSeries) {
        series.append(newSeries)
    }

    /// The plot as a standalone SVG document string.
    public func svg(width: Double = 640, height: Double = 420) -> String {
        document(width: width, height: height).render()
    }

    /// The plot as an `SVGDocument` of the given size.
    public func document(width: Double = 640, height: Double = 420) -> SVGDocument {
        SVGDocument(width: width, height: height, elements: elements(in: SVGRect(x: 0, y: 0, width: width, height: height)),
                    title: title.isEmpty ? nil : title)
    }

    /// The plot's elements filling `frame` (title, axes, data, legend), for composing several
    /// plots in one document.
    public func elements(in frame: SVGRect) -> [SVGElement] {
        let entries = legendEntries
        let legendBox = PlotLegend(entries: entries)
        var position: LegendPosition = entries.isEmpty ? .hidden : legend
        var layout = makeLayout(frame: frame, rightReserve: position == .outsideRight ? legendBox.size.width + 10 : 0)
        var data = dataGeometry(layout)
        var legendOrigin: SVGPoint?
        if position == .automatic {
            let size = legendBox.size
            let corners: [LegendPosition] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
            if size.width < layout.plotArea.width * 0.7, size.height < layout.plotArea.height * 0.7,
               let free = corners.first(where: { !data.collides(with: Self.legendRect(size, corner: $0, in: layout.plotArea)) }) {
                position = free
            } else {
                position = .outsideRight
                layout = makeLayout(frame: frame, rightReserve: size.width + 10)
                data = dataGeometry(layout)
            }
        }
        switch position {
        case .hidden, .automatic: break
        case .outsideRight:
            legendOrigin = SVGPoint(x: layout.plotArea.maxX + 10, y: layout.plotArea.minY)
        case .topRight, .topLeft, .bottomRight, .bottomLeft:
            let rect = Self.legendRect(legendBox.size, corner: position, in: layout.plotArea)
            legendOrigin = SVGPoint(x: rect.x, y: rect.y)
        }
        var out: [SVGElement] = showGrid ? layout.gridElements() : []
        out.append(.group(data.elements, clip: xLimits != nil || yLimits != nil ? layout.plotArea : nil))
        out += layout.axisElements()
        if let legendOrigin { out.append(.group(legendBox.elements(at: legendOrigin))) }
        return out
    }

    // MARK: - Layout

    /// Colour of series `index` (its own, or the palette's).
    func color(of index: Int) -> PlotColor {
        series[index].color ?? PlotColor.okabeIto[index % PlotColor.okabeIto.count]
    }

    var legendEntries: [PlotLegend.Entry] {
        series.indices.filter { !series[$0].name.isEmpty }.map {
            PlotLegend.Entry(name: series[$0].name, color: color(of: $0).hex, dash: series[$0].dash,
                             marker: series[$0].marker, lineWidth: series[$0].lineWidth)
        }
    }

    /// The extent of the drawable data on each axis: `nil` if there is none.
    var dataBounds: (x: (Double, Double)?, y: (Double, Double)?) {
        var xs: [Double] = [], ys: [Double] = []
        for s in series {
            for i in 0..<s.count where xScale.accepts(s.x[i]) && yScale.accepts(s.y[i]) {
                xs.append(s.x[i])
                ys.append(s.y[i])
                if let e = s.error(at: i) {
                    for v in [s.y[i] - e, s.y[i] + e] where yScale.accepts(v) { ys.append(v) }
                }
            }
        }
        func bounds(_ v: [Double]) -> (Double, Double)? { v.isEmpty ? nil : (v.min()!, v.max()!) }
        return (bounds(xs), bounds(ys))
    }

    func makeLayout(frame: SVGRect, rightReserve: Double) -> PlotAxesLayout {
        let bounds = dataBounds
        func range(_ limits: ClosedRange<Double>?, _ data: (Double, Double)?, _ scale: AxisScale) -> (Double, Double) {
            if let limits { return (limits.lowerBound, limits.upperBound) }
            if let data { return data }
            return scale == .log10 ? (1, 10) : (0, 1)
        }
        return PlotAxesLayout(frame: frame, title: title, xLabel: xLabel, yLabel: yLabel,
                              xScale: xScale, xRange: range(xLimits, bounds.x, xScale), expandX: xLimits == nil,
                              yScale: yScale, yRange: range(yLimits, bounds.y, yScale), expandY: yLimits == nil,
                              rightReserve: rightReserve)
    }

    static func legendRect(_ size: (width: Double, height: Double), corner: LegendPosition, in area: SVGRect) -> SVGRect {
        let inset = 8.0
        let left = corner == .topLeft || corner == .bottomLeft
        let top = corner == .topLeft || corner == .topRight
        return SVGRect(x: left ? area.minX + inset : area.maxX - inset - size.width,
                       y: top ? area.minY + inset : area.maxY - inset - size.height,
                       width: size.width, height: size.height)
    }

    // MARK: - Data

    /// The drawn data and the pixel geometry a legend must avoid.
    struct DataGeometry {
        var elements: [SVGElement] = []
        var segments: [(SVGPoint, SVGPoint)] = []
        var points: [(SVGPoint, Double)] = []

        func collides(with rect: SVGRect) -> Bool {
            for (center, radius) in points {
                let grown = SVGRect(x: rect.x - radius, y: rect.y - radius, width: rect.width + 2 * radius, height: rect.height + 2 * radius)
                if grown.contains(center) { return true }
            }
            return segments.contains { rect.intersectsSegment(from: $0.0, to: $0.1) }
        }
    }

    func dataGeometry(_ layout: PlotAxesLayout) -> DataGeometry {
        var geometry = DataGeometry()
        let markerSize = 3.5
        for (index, s) in series.enumerated() {
            let color = color(of: index).hex
            var bars: [SVGElement] = [], lines: [SVGElement] = [], markers: [SVGElement] = []
            var run: [SVGPoint] = []
            func flush() {
                if run.count >= 2, s.dash != .none {
                    lines.append(.polyline(run, style: SVGStyle(stroke: color, strokeWidth: s.lineWidth,
                                                                dashArray: s.dash.dashArray(width: s.lineWidth),
                                                                lineCap: s.dash.lineCap, lineJoin: "round")))
                    for (a, b) in zip(run, run.dropFirst()) { geometry.segments.append((a, b)) }
                } else if run.count == 1, s.marker == .none {
                    // A lone point without a marker would be invisible: draw a dot.
                    markers.append(.circle(center: run[0], radius: max(s.lineWidth, 2.5), style: SVGStyle(fill: color)))
                    geometry.points.append((run[0], max(s.lineWidth, 2.5)))
                }
                run = []
            }
            for i in 0..<s.count {
                guard let p = layout.pixel(x: s.x[i], y: s.y[i]) else {
                    flush()
                    continue
                }
                run.append(p)
                if s.marker != .none {
                    markers += s.marker.elements(at: p, size: markerSize, color: color)
                    geometry.points.append((p, markerSize + 1))
                }
                if let e = s.error(at: i), let top = layout.pixelY(s.y[i] + e) {
                    let lower = layout.pixelY(s.y[i] - e)
                    let bottom = lower ?? layout.plotArea.maxY
                    let style = SVGStyle(stroke: color, strokeWidth: 1.2)
                    bars.append(.line(from: SVGPoint(x: p.x, y: top), to: SVGPoint(x: p.x, y: bottom), style: style))
                    bars.append(.line(from: SVGPoint(x: p.x - 3, y: top), to: SVGPoint(x: p.x + 3, y: top), style: style))
                    if lower != nil {
                        bars.append(.line(from: SVGPoint(x: p.x - 3, y: bottom), to: SVGPoint(x: p.x + 3, y: bottom), style: style))
                    }
                    geometry.segments.append((SVGPoint(x: p.x, y: top), SVGPoint(x: p.x, y: bottom)))
                }
            }
            flush()
            geometry.elements += bars + lines + markers
        }
        return geometry
    }
}
