import PACNet

/// The 16 binary attributes of a `shapes` image, in column order.
///
/// Every attribute is a function of the generating parameters (`ShapeParameters`), and each one
/// is sampled with a gap around its decision threshold, so it is determined by the image itself:
/// a noise-free render shows it unambiguously, and the pixel noise never hides it. Attributes
/// 0-7 are the source task's, 8-15 the target's. The rates are the sampling probabilities
/// (measured: within 0.01 of them over 20,000 images, within 0.02 over 4,000).
///
/// | # | name | positive when | rate |
/// |---|------|---------------|------|
/// | 0 | `is_circle` | the object is a circle | 1/4 |
/// | 1 | `is_square` | the object is a square | 1/4 |
/// | 2 | `is_triangle` | the object is an equilateral triangle | 1/4 |
/// | 3 | `is_red` | hue within 20 degrees of 0 (red) | 1/3 |
/// | 4 | `is_green` | hue within 20 degrees of 120 (green) | 1/3 |
/// | 5 | `is_blue` | hue within 20 degrees of 240 (blue); exactly one of 3-5 holds | 1/3 |
/// | 6 | `is_large` | area (pi r^2, the same for every shape) with r >= 7.5 px; small r <= 5.5 px | 1/2 |
/// | 7 | `is_left` | centre (= centroid) x < 16 (x in [r + 1, 14.5] or [17.5, 31 - r]) | 1/2 |
/// | 8 | `is_top` | centre y < 16 (same gap as `is_left`; y grows downwards) | 1/2 |
/// | 9 | `is_rotated` | a square, triangle or cross turned 22 degrees or more from upright (modulo its symmetry: 90 degrees for squares and crosses, 120 for triangles); upright objects are within 8 degrees; circles never | 3/8 |
/// | 10 | `has_striped_background` | the background has stripes (else plain with a faint gradient) | 1/2 |
/// | 11 | `is_bright_background` | background mean grey level in [0.55, 0.72] (else [0.14, 0.32]) | 1/2 |
/// | 12 | `is_cross` | the object is a plus-shaped cross | 1/4 |
/// | 13 | `is_bright_object` | object HSV value in [0.85, 1] (else [0.45, 0.62]) | 1/2 |
/// | 14 | `has_vertical_stripes` | striped, with vertical stripes (else horizontal, or plain) | 1/4 |
/// | 15 | `is_noisy` | pixel noise standard deviation 0.08 (else 0.02) | 1/2 |
public enum ShapesAttribute: Int, CaseIterable, Sendable {
    case isCircle, isSquare, isTriangle, isRed, isGreen, isBlue, isLarge, isLeft
    case isTop, isRotated, hasStripedBackground, isBrightBackground, isCross, isBrightObject, hasVerticalStripes, isNoisy

    /// The stable snake_case name (the column name in reports).
    public var name: String {
        switch self {
        case .isCircle: "is_circle"
        case .isSquare: "is_square"
        case .isTriangle: "is_triangle"
        case .isRed: "is_red"
        case .isGreen: "is_green"
        case .isBlue: "is_blue"
        case .isLarge: "is_large"
        case .isLeft: "is_left"
        case .isTop: "is_top"
        case .isRotated: "is_rotated"
        case .hasStripedBackground: "has_striped_background"
        case .isBrightBackground: "is_bright_background"
        case .isCross: "is_cross"
        case .isBrightObject: "is_bright_object"
        case .hasVerticalStripes: "has_vertical_stripes"
        case .isNoisy: "is_noisy"
        }
    }

    /// The probability with which the generator samples the attribute as positive.
    public var expectedRate: Double {
        switch self {
        case .isCircle, .isSquare, .isTriangle, .isCross, .hasVerticalStripes: 0.25
        case .isRed, .isGreen, .isBlue: 1.0 / 3.0
        case .isRotated: 0.375
        case .isLarge, .isLeft, .isTop, .hasStripedBackground, .isBrightBackground, .isBrightObject, .isNoisy: 0.5
        }
    }

    /// The task an attribute belongs to: columns 0-7 are the source task's, 8-15 the target's.
    public var side: TaskSide { rawValue < 8 ? .source : .target }
}
