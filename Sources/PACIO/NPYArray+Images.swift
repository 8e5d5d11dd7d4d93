import PACEngine

extension NPYArray {
    /// An `N x H x W x C` uint8 image array (NumPy's and PIL's channels-last layout) as the
    /// engine's `[N, C, H, W]` Float32 tensor with pixel values scaled to [0, 1] (`x / 255`).
    ///
    /// Throws `unexpectedShape` for another rank (or no images) and `unexpectedDType` for
    /// pixels that are not uint8.
    public func channelsFirstImages() throws(DataError) -> Tensor {
        guard shape.count == 4, shape[0] > 0, shape.dropFirst().allSatisfy({ $0 > 0 }) else {
            throw .unexpectedShape(path: path, shape: shape, expected: "uint8 images N x H x W x C (N, H, W, C > 0)")
        }
        guard case .uint8(let pixels) = storage else {
            throw .unexpectedDType(path: path, dtype: dtype.rawValue, expected: "uint8 pixels 0-255 (save with .astype(np.uint8))")
        }
        let (n, height, width, channels) = (shape[0], shape[1], shape[2], shape[3])
        let plane = height * width
        return Tensor(shape: [n, channels, height, width], uninitialized: { out in
            pixels.withUnsafeBufferPointer { source in
                for image in 0..<n {
                    let from = image * plane * channels, to = image * channels * plane
                    for position in 0..<plane {
                        for channel in 0..<channels {
                            out[to + channel * plane + position] = Float(source[from + position * channels + channel]) / 255
                        }
                    }
                }
            }
        })
    }
}
