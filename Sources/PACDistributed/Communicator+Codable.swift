import Foundation

extension Communicator {
    /// Every rank's `value`, in rank order, on every rank: `allGather` of its JSON encoding.
    /// Doubles and floats round-trip exactly (shortest representation); NaN and infinities
    /// travel as strings.
    public func allGather<T: Codable>(_ value: T) throws(DistributedError) -> [T] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let bytes: [UInt8]
        do { bytes = Array(try encoder.encode(value)) } catch { throw DistributedError("rank \(rank): cannot encode \(T.self): \(error)") }
        let parts = try allGather(bytes)
        do { return try parts.map { try decoder.decode(T.self, from: Data($0)) } } catch {
            throw DistributedError("rank \(rank): cannot decode \(T.self) from another rank: \(error)")
        }
    }
}
