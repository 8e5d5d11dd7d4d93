import Foundation
import PACEngine
import PACIO
import Testing

@Suite("NPY arrays")
struct NPYArrayTests {
    /// A .npy file with a hand-written header (unpadded: readers must not rely on alignment).
    private static func npy(_ header: String, version: (UInt8, UInt8) = (1, 0), data: [UInt8] = []) -> Data {
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version.0, version.1]
        let headerBytes = Array(header.utf8)
        let lengthBytes = version.0 == 1 ? 2 : 4
        for i in 0..<lengthBytes { bytes.append(UInt8(truncatingIfNeeded: headerBytes.count >> (8 * i))) }
        return Data(bytes + headerBytes + data)
    }

    private static func header(_ descr: String, _ shape: String, fortran: String = "False") -> String {
        "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }\n"
    }

    private static func bytes<T: FixedWidthInteger>(_ values: [T], bigEndian: Bool = false) -> [UInt8] {
        values.flatMap { value in
            let ordered = bigEndian ? value.bigEndian : value.littleEndian
            return withUnsafeBytes(of: ordered) { Array($0) }
        }
    }

    private static func hex(_ text: String) -> Data {
        var data = Data()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            data.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return data
    }

    // MARK: Encoding

    @Test func encodesExactlyLikeNumPy() {
        // np.save(f, np.array([[1.5, -2, 0], [3.25, 1e-3, 7]], dtype='<f4')) with NumPy 2.4.
        let numpy = Self.hex(
            "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c"
            + "73652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020"
            + "2020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c00000000000"
            + "0050406f12833a0000e040")
        let tensor = Tensor(shape: [2, 3], scalars: [1.5, -2, 0, 3.25, 1e-3, 7])
        #expect(NPYArray.encode(tensor) == numpy)

        // np.save(f, np.array([1, -2, 3], dtype='<i8'))
        let integers = Self.hex(
            "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c"
            + "73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020"
            + "202020202020202020202020202020202020202020202020202020202020202020200a0100000000000000feffff"
            + "ffffffffff0300000000000000")
        #expect(NPYArray.encode(integers: [1, -2, 3], shape: [3]) == integers)
    }

    @Test(arguments: [[], [5], [2, 3], [2, 1, 4], [0, 3]])
    func float32RoundTrip(_ shape: [Int]) throws {
        let tensor = Tensor(shape: shape) { Float($0) * 0.25 - 1 }
        let data = NPYArray.encode(tensor)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(data[9 + headerLength] == UInt8(ascii: "\n"))
        #expect(data.count == 10 + headerLength + 4 * tensor.count)

        let array = try NPYArray.decode(data, path: "x.npy")
        #expect(array.shape == shape)
        #expect(array.dtype == .float32)
        #expect(array.count == tensor.count)
        #expect(array.tensor() == tensor)
    }

    @Test func integerRoundTrip() throws {
        let data = NPYArray.encode(integers: [3, 0, -7, 1 << 40, 2, 9], shape: [2, 3])
        let array = try NPYArray.decode(data, path: "y.npy")
        #expect(array.dtype == .int64)
        #expect(array.shape == [2, 3])
        #expect(try array.integers() == [3, 0, -7, 1 << 40, 2, 9])
    }

    // MARK: Decoding hand-built files

    @Test func float64() throws {
        let values: [Double] = [1.5, -2.25, 1e-300, 0.1]
        let data = Self.npy(Self.header("<f8", "(2, 2)"), data: Self.bytes(values.map(\.bitPattern)))
        let array = try NPYArray.decode(data, path: "x.npy")
        #expect(array.dtype == .float64)
        #expect(array.doubles() == values)
        #expect(array.tensor() == Tensor(shape: [2, 2], scalars: values.map { Float($0) }))
    }

    @Test func integerTypes() throws {
        let i8 = try NPYArray.decode(Self.npy(Self.header("<i8", "(3,)"), data: Self.bytes([Int64(5), -1, 1 << 50])), path: "y.npy")
        #expect(i8.dtype == .int64)
        #expect(try i8.integers() == [5, -1, 1 << 50])

        let i4 = try NPYArray.decode(Self.npy(Self.header("<i4", "(2,)"), data: Self.bytes([Int32(-3), 70_000])), path: "y.npy")
        #expect(i4.dtype == .int32)
        #expect(try i4.integers() == [-3, 70_000])

        for descr in ["|u1", "<u1"] {
            let u1 = try NPYArray.decode(Self.npy(Self.header(descr, "(2, 2)"), data: [0, 7, 200, 255]), path: "img.npy")
            #expect(u1.dtype == .uint8)
            #expect(try u1.integers() == [0, 7, 200, 255])
            #expect(u1.tensor() == Tensor(shape: [2, 2], scalars: [0, 7, 200, 255]))
        }

        let i1 = try NPYArray.decode(Self.npy(Self.header("|i1", "(3,)"), data: [0xFF, 0x80, 0x05]), path: "y.npy")
        #expect(i1.dtype == .int8)
        #expect(try i1.integers() == [-1, -128, 5])
    }

    @Test func bigEndianIsConverted() throws {
        let f4: [Float] = [1.5, -0.125, 3e10]
        let big4 = try NPYArray.decode(
            Self.npy(Self.header(">f4", "(3,)"), data: Self.bytes(f4.map(\.bitPattern), bigEndian: true)), path: "b.npy")
        #expect(big4.dtype == .float32)
        #expect(big4.tensor() == Tensor(f4))

        let f8: [Double] = [1.5, -1e-200, .pi]
        let big8 = try NPYArray.decode(
            Self.npy(Self.header(">f8", "(3,)"), data: Self.bytes(f8.map(\.bitPattern), bigEndian: true)), path: "b.npy")
        #expect(big8.doubles() == f8)

        let i8: [Int64] = [1, -2, 1 << 40]
        let bigI8 = try NPYArray.decode(Self.npy(Self.header(">i8", "(3,)"), data: Self.bytes(i8, bigEndian: true)), path: "b.npy")
        #expect(try bigI8.integers() == [1, -2, 1 << 40])

        let bigI4 = try NPYArray.decode(
            Self.npy(Self.header(">i4", "(2,)"), data: Self.bytes([Int32(-5), 9], bigEndian: true)), path: "b.npy")
        #expect(try bigI4.integers() == [-5, 9])
    }

    @Test func versionsTwoAndThree() throws {
        for major: UInt8 in [2, 3] {
            let data = Self.npy(Self.header("<f4", "(2,)"), version: (major, 0), data: Self.bytes([Float(1), 2].map(\.bitPattern)))
            #expect(try NPYArray.decode(data, path: "x.npy").tensor() == Tensor([1, 2]))
        }
    }

    @Test func scalarAndOneDimensionalShapes() throws {
        let scalar = try NPYArray.decode(Self.npy(Self.header("<f4", "()"), data: Self.bytes([Float(2.5).bitPattern])), path: "s.npy")
        #expect(scalar.shape == [])
        #expect(scalar.count == 1)
        #expect(scalar.tensor() == Tensor(2.5))

        let vector = try NPYArray.decode(
            Self.npy(Self.header("<f4", "(5,)"), data: Self.bytes((0..<5).map { Float($0).bitPattern })), path: "v.npy")
        #expect(vector.shape == [5])
        #expect(vector.tensor() == Tensor([0, 1, 2, 3, 4]))

        let empty = try NPYArray.decode(Self.npy(Self.header("<f8", "(0, 4)")), path: "e.npy")
        #expect(empty.shape == [0, 4])
        #expect(empty.tensor().shape == [0, 4])
    }

    @Test(arguments: [
        "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}",
        "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,)}\n",
        "  { 'descr' : '<f4' ,\n 'fortran_order' : False , 'shape' : ( 2 , ) , }      \n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [2], 'extra': None, }",
    ])
    func headerVariants(_ header: String) throws {
        let data = Self.npy(header, data: Self.bytes([Float(3), 4].map(\.bitPattern)))
        let array = try NPYArray.decode(data, path: "x.npy")
        #expect(array.shape == [2])
        #expect(array.tensor() == Tensor([3, 4]))
    }

    // MARK: Errors

    @Test func badMagic() {
        for data in [Data("PK\u{3}\u{4}not numpy at all".utf8), Data(), Data([0x93, 0x4E, 0x55])] {
            let error = caughtDataError { try NPYArray.decode(data, path: "x.npy") }
            #expect(error == .npyBadMagic(path: "x.npy"))
            #expect(error?.description == "x.npy: not a NumPy .npy file (bad magic bytes)")
        }
    }

    @Test func unsupportedVersions() {
        for (major, minor) in [(4, 0), (1, 1), (0, 9)] {
            let data = Self.npy(Self.header("<f4", "()"), version: (UInt8(major), UInt8(minor)), data: [0, 0, 0, 0])
            let error = caughtDataError { try NPYArray.decode(data, path: "x.npy") }
            #expect(error == .npyUnsupportedVersion(path: "x.npy", major: major, minor: minor))
            #expect(error?.description == "x.npy: unsupported .npy format version \(major).\(minor)")
        }
    }

    @Test(arguments: ["<c8", "<f2", "<U5", "|O", "<u4", "=f4", "|f4", "<M8[ns]"])
    func unsupportedDTypes(_ descr: String) {
        let error = caughtDataError { try NPYArray.decode(Self.npy(Self.header(descr, "(1,)"), data: [0, 0, 0, 0, 0, 0, 0, 0]), path: "x.npy") }
        #expect(error == .npyUnsupportedDType(path: "x.npy", dtype: descr))
        #expect(error?.description == "x.npy: unsupported dtype '\(descr)'")
    }

    @Test func structuredDTypeIsUnsupported() {
        let header = "{'descr': [('a', '<f4'), ('b', '<i8')], 'fortran_order': False, 'shape': (1,), }"
        let error = caughtDataError { try NPYArray.decode(Self.npy(header, data: Array(repeating: 0, count: 12)), path: "x.npy") }
        #expect(error == .npyUnsupportedDType(path: "x.npy", dtype: "[('a', '<f4'), ('b', '<i8')]"))
    }

    @Test func fortranOrderIsAnError() {
        let data = Self.npy(Self.header("<f4", "(2, 2)", fortran: "True"), data: Array(repeating: 0, count: 16))
        let error = caughtDataError { try NPYArray.decode(data, path: "x.npy") }
        #expect(error == .npyFortranOrder(path: "x.npy"))
        #expect(error?.description == "x.npy: Fortran-order arrays are not supported (save np.ascontiguousarray(a))")
    }

    @Test func truncatedAndOverlongData() {
        let short = caughtDataError { try NPYArray.decode(Self.npy(Self.header("<f4", "(3,)"), data: Array(repeating: 0, count: 8)), path: "x.npy") }
        #expect(short == .npyTruncated(path: "x.npy", expectedBytes: 12, actualBytes: 8))
        #expect(short?.description == "x.npy: data is truncated: expected 12 bytes, found 8")

        let long = caughtDataError { try NPYArray.decode(Self.npy(Self.header("<f4", "(3,)"), data: Array(repeating: 0, count: 16)), path: "x.npy") }
        #expect(long == .npyTrailingBytes(path: "x.npy", expectedBytes: 12, actualBytes: 16))
        #expect(long?.description == "x.npy: 4 unexpected bytes after the data (expected 12 bytes, found 16)")

        // A real file cut short: the last element is missing.
        let encoded = NPYArray.encode(Tensor(shape: [4, 4], scalars: Array(repeating: 1, count: 16)))
        let cut = caughtDataError { try NPYArray.decode(encoded.dropLast(4), path: "x.npy") }
        #expect(cut == .npyTruncated(path: "x.npy", expectedBytes: 64, actualBytes: 60))
    }

    @Test func malformedHeaders() {
        let cases: [(String, String)] = [
            ("{'descr': '<f4', 'fortran_order': False}", "missing key 'shape'"),
            ("{'descr': '<f4', 'shape': (1,)}", "missing key 'fortran_order'"),
            ("not a dict", "expected '{' at offset 0"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}' at offset 54"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "'shape' must be a tuple of non-negative integers, got (-1,)"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': 3}", "'shape' must be a tuple of non-negative integers, got 3"),
            ("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "'fortran_order' must be True or False"),
            ("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}' at offset 17"),
            ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", "duplicate key 'descr'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", "unexpected text after the dict at offset 56"),
        ]
        for (header, reason) in cases {
            let error = caughtDataError { try NPYArray.decode(Self.npy(header, data: [0, 0, 0, 0]), path: "x.npy") }
            #expect(error == .npyBadHeader(path: "x.npy", reason: reason), "header: \(header)")
            #expect(error?.description == "x.npy: malformed .npy header: \(reason)")
        }

        var overlong = Self.npy(Self.header("<f4", "()"))
        overlong[8] = 0xFF
        #expect(caughtDataError { try NPYArray.decode(overlong, path: "x.npy") }
            == .npyBadHeader(path: "x.npy", reason: "header length \(Int(overlong[8]) | Int(overlong[9]) << 8) runs past the end of the file"))
        #expect(caughtDataError { try NPYArray.decode(Data([0x93] + Array("NUMPY".utf8) + [1]), path: "x.npy") }
            == .npyBadHeader(path: "x.npy", reason: "file ends before the format version"))
        #expect(caughtDataError { try NPYArray.decode(Data([0x93] + Array("NUMPY".utf8) + [1, 0, 5]), path: "x.npy") }
            == .npyBadHeader(path: "x.npy", reason: "file ends before the header length"))
    }

    @Test func floatLabelsMustBeIntegral() throws {
        let labels = try NPYArray.decode(Self.npy(Self.header("<f8", "(3,)"), data: Self.bytes([0.0, 2, 1].map(\.bitPattern))), path: "y.npy")
        #expect(try labels.integers() == [0, 2, 1])

        let values: [Float] = [0, 1, 2.5, 1]
        let bad = try NPYArray.decode(Self.npy(Self.header("<f4", "(2, 2)"), data: Self.bytes(values.map(\.bitPattern))), path: "y.npy")
        let error = caughtDataError { try bad.integers() }
        #expect(error == .nonIntegerLabel(DataLocation(path: "y.npy", element: [1, 0]), value: 2.5))
        #expect(error?.description == "y.npy (element [1, 0]): class label 2.5 is not an integer")
    }

    @Test func checkFiniteNamesTheElement() throws {
        let nan = try NPYArray.decode(Self.npy(Self.header("<f4", "(2, 2)"), data: Self.bytes([Float(1), .nan, 2, 3].map(\.bitPattern))), path: "x.npy")
        let error = caughtDataError { try nan.checkFinite() }
        #expect(error == .nanValue(DataLocation(path: "x.npy", element: [0, 1])))
        #expect(error?.description == "x.npy (element [0, 1]): value is NaN")

        let inf = try NPYArray.decode(Self.npy(Self.header("<f8", "(3,)"), data: Self.bytes([1, 2, -Double.infinity].map(\.bitPattern))), path: "x.npy")
        #expect(caughtDataError { try inf.checkFinite() }?.description == "x.npy (element [2]): value is infinite")

        let fine = try NPYArray.decode(Self.npy(Self.header("|u1", "(2,)"), data: [1, 2]), path: "x.npy")
        #expect(caughtDataError { try fine.checkFinite() } == nil)
    }

    @Test func readsFilesAndReportsMissingOnes() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/features.npy"
            let tensor = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
            try AtomicFile.write(NPYArray.encode(tensor), to: path, overwrite: false)
            let array = try NPYArray.read(path: path)
            #expect(array.path == path)
            #expect(array.tensor() == tensor)

            let missing = directory + "/nope.npy"
            #expect(caughtDataError { try NPYArray.read(path: missing) } == .fileNotFound(path: missing))
        }
    }
}
