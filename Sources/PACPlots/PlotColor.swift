/// An opaque sRGB colour.
public struct PlotColor: Sendable, Equatable {
    /// Red channel, 0...255.
    public var red: UInt8
    /// Green channel, 0...255.
    public var green: UInt8
    /// Blue channel, 0...255.
    public var blue: UInt8

    /// A colour from its channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A colour from `0xRRGGBB`.
    public init(rgb: UInt32) {
        self.init(red: UInt8((rgb >> 16) & 0xFF), green: UInt8((rgb >> 8) & 0xFF), blue: UInt8(rgb & 0xFF))
    }

    /// `#RRGGBB` (upper-case hex), as SVG attributes expect.
    public var hex: String {
        let digits = Array("0123456789ABCDEF")
        var out = "#"
        for byte in [red, green, blue] {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return out
    }

    /// Linear interpolation in sRGB: `t = 0` gives `self`, `t = 1` gives `other` (clamped).
    public func mixed(with other: PlotColor, _ t: Double) -> PlotColor {
        let t = t.isFinite ? min(max(t, 0), 1) : 0
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded()) }
        return PlotColor(red: mix(red, other.red), green: mix(green, other.green), blue: mix(blue, other.blue))
    }

    /// The Okabe–Ito colour-blind-safe palette, ordered for series on a white background
    /// (blue, vermillion, bluish green, orange, reddish purple, sky blue, black, yellow).
    /// Series without an explicit colour take these in order, cycling after eight.
    public static let okabeIto: [PlotColor] = [
        PlotColor(rgb: 0x0072B2), PlotColor(rgb: 0xD55E00), PlotColor(rgb: 0x009E73), PlotColor(rgb: 0xE69F00),
        PlotColor(rgb: 0xCC79A7), PlotColor(rgb: 0x56B4E9), PlotColor(rgb: 0x000000), PlotColor(rgb: 0xF0E442),
    ]

    /// Black.
    public static let black = PlotColor(rgb: 0x000000)
}
