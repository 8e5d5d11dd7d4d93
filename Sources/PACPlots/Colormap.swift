/// A map from a normalised value in 0...1 to a colour, for heatmaps and their colour bars.
public enum Colormap: Sendable, Equatable {
    /// Blue → white → red (ColorBrewer RdBu, reversed): for signed fields and errors, with 0
    /// at the white midpoint when the value range is symmetric. Readable with red-green
    /// colour blindness.
    case diverging
    /// Viridis (dark purple → yellow): perceptually uniform and colour-blind-safe, for
    /// fields without a meaningful zero.
    case sequential

    /// The colour at `t` (clamped to 0...1; non-finite `t` gives the midpoint).
    public func color(at t: Double) -> PlotColor {
        let anchors = self == .diverging ? Self.redBlue : Self.viridis
        let t = t.isFinite ? min(max(t, 0), 1) : 0.5
        let position = t * Double(anchors.count - 1)
        let index = min(Int(position), anchors.count - 2)
        return PlotColor(rgb: anchors[index]).mixed(with: PlotColor(rgb: anchors[index + 1]), position - Double(index))
    }

    private static let redBlue: [UInt32] = [
        0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xF7F7F7, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
    ]
    private static let viridis: [UInt32] = [
        0x440154, 0x482878, 0x3E4989, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6ECE58, 0xB5DE2B, 0xFDE725,
    ]
}
