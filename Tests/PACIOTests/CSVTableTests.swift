import Foundation
import PACEngine
import PACIO
import Testing

@Suite("CSV tables")
struct CSVTableTests {
    // MARK: Happy paths

    @Test func parsesColumnsRowsAndMatrix() throws {
        let table = try CSVTable.parse("x1,x2,y\n1,2,3\n4,5,6\n", path: "data.csv")
        #expect(table.columns == ["x1", "x2", "y"])
        #expect(table.rowCount == 2)
        #expect(try table.column("y") == [3, 6])
        #expect(try table.column("x1") == [1, 4])
        let matrix = try table.matrix(columns: ["y", "x1"])
        #expect(matrix == Tensor(shape: [2, 2], scalars: [3, 1, 6, 4]))
        #expect(try table.matrix(columns: []).shape == [2, 0])
        #expect(table.line(ofRow: 1) == 3)
    }

    @Test func quotedHeaderNamesKeepCommasQuotesAndSpaces() throws {
        let table = try CSVTable.parse("\"a,b\",\"say \"\"hi\"\"\",\" c \", d \n1,2,3,4\n", path: "q.csv")
        #expect(table.columns == ["a,b", "say \"hi\"", " c ", "d"])
        #expect(try table.column("say \"hi\"") == [2])
    }

    @Test func crlfTrailingNewlineAndTrailingBlankLines() throws {
        let crlf = try CSVTable.parse("a,b\r\n1,2\r\n3,4\r\n\r\n  \n\n", path: "crlf.csv")
        #expect(crlf.rowCount == 2)
        #expect(try crlf.column("b") == [2, 4])
        let noFinalNewline = try CSVTable.parse("a\n1\n2", path: "n.csv")
        #expect(try noFinalNewline.column("a") == [1, 2])
    }

    @Test func numberForms() throws {
        let text = "v\n1\n-2.5\n1e-3\n+3\n.5\n5.\n  7  \n\" 8 \"\n1E+2\n-0\n0.1\n00012\n2.5e-3\n-1.25E2\n"
        let table = try CSVTable.parse(text, path: "n.csv")
        let values = try table.column("v")
        #expect(values == [1, -2.5, 0.001, 3, 0.5, 5, 7, 8, 100, 0, 0.1, 12, 0.0025, -125])
        #expect(values[9].sign == .minus)
    }

    @Test func conversionIsCorrectlyRoundedBeyondTheFastPath() throws {
        let texts = ["123456789012345678901234", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014e-308",
                     "0.30000000000000004", "9007199254740993", "1e23", "3.14159265358979323846264338327950288",
                     "1e-400", "0.000000000000000000000000000001"]
        let table = try CSVTable.parse("v\n" + texts.joined(separator: "\n"), path: "p.csv")
        #expect(try table.column("v") == texts.map { Double($0)! })
    }

    @Test func byteOrderMarkIsIgnored() throws {
        let table = try CSVTable.parse("\u{FEFF}a,b\n1,2\n", path: "bom.csv")
        #expect(table.columns == ["a", "b"])
    }

    @Test func classLabels() throws {
        let table = try CSVTable.parse("x,y\n0.5,0\n1.5,2\n2.5,1.0\n", path: "data.csv")
        #expect(try table.classLabels("y") == [0, 2, 1])
        let error = caughtDataError { try table.classLabels("x") }
        #expect(error == .nonIntegerLabel(DataLocation(path: "data.csv", line: 2, column: 1, columnName: "x"), value: 0.5))
        #expect(error?.description == "data.csv:2:1 (column 'x'): class label 0.5 is not an integer")
    }

    @Test func readsFromFile() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/train.csv"
            try "a,b\n1,2\n3,4\n".write(toFile: path, atomically: false, encoding: .utf8)
            let table = try CSVTable.read(path: path)
            #expect(table.path == path)
            #expect(try table.matrix(columns: ["a", "b"]) == Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        }
    }

    @Test func largeTableParses() throws {
        // 20k x 20; the release-build target is 100k x 20 well under a second.
        var text = (0..<20).map { "c\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<20_000 {
            text += (0..<20).map { "\(Double(row) * 0.5 + Double($0) * 1e-3)" }.joined(separator: ",") + "\n"
        }
        let table = try CSVTable.parse(text, path: "big.csv")
        #expect(table.rowCount == 20_000)
        #expect(try table.column("c19")[19_999] == Double(19_999) * 0.5 + Double(19) * 1e-3)
    }

    // MARK: Errors

    @Test func nonNumericCellNamesLineColumnAndName() {
        let text = "id,x1,x2,y\n1,1,1,1\n2,2,2,2\n3,3,3,3\n4,4,4,4\n5,5,5,5\n6,6,abc,6\n"
        let error = caughtDataError { try CSVTable.parse(text, path: "data.csv").matrix() }
        #expect(error == .notANumber(DataLocation(path: "data.csv", line: 7, column: 3, columnName: "x2"), text: "abc"))
        #expect(error?.description == "data.csv:7:3 (column 'x2'): 'abc' is not a number")
    }

    @Test(arguments: ["abc", "1.2.3", "1e", "e5", "0x10", "5x", "--1", "1 2", "+", ".", "٣", "1e+", "nanx", "\"1\"\"2\""])
    func rejectsNonNumbers(_ cell: String) {
        let error = caughtDataError { try CSVTable.parse("a,b\n0,\(cell)\n", path: "d.csv").matrix() }
        guard case .notANumber(let location, _)? = error else {
            Issue.record("expected notANumber for \(cell), got \(String(describing: error))")
            return
        }
        #expect(location == DataLocation(path: "d.csv", line: 2, column: 2, columnName: "b"))
    }

    @Test func textInUnusedColumnsIsFine() throws {
        let table = try CSVTable.parse("id,name,x,y\nA7,alice,1,2\nB8,bob,3,4\n", path: "data.csv")
        #expect(try table.matrix(columns: ["x", "y"]).scalars == [1, 2, 3, 4])
        let error = caughtDataError { try table.column("name") }
        #expect(error?.description == "data.csv:2:2 (column 'name'): 'alice' is not a number")
    }

    @Test func emptyCell() {
        let error = caughtDataError { try CSVTable.parse("a,b\n1,\n", path: "data.csv").matrix() }
        #expect(error == .notANumber(DataLocation(path: "data.csv", line: 2, column: 2, columnName: "b"), text: ""))
        #expect(error?.description == "data.csv:2:2 (column 'b'): cell is empty, expected a number")
    }

    @Test func quotedNonNumberIsReportedUnescaped() {
        let error = caughtDataError { try CSVTable.parse("a\n\"x\"\"y\"\n", path: "data.csv").matrix() }
        #expect(error?.description == "data.csv:2:1 (column 'a'): 'x\"y' is not a number")
    }

    @Test(arguments: ["NaN", "nan", "-nan", "NAN", "+NaN"])
    func nanIsAnError(_ cell: String) {
        let text = "x,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n7,7\n8,\(cell)\n"
        let error = caughtDataError { try CSVTable.parse(text, path: "data.csv").matrix() }
        #expect(error == .nanValue(DataLocation(path: "data.csv", line: 9, column: 2, columnName: "y")))
        #expect(error?.description == "data.csv:9:2 (column 'y'): value is NaN")
    }

    @Test(arguments: ["inf", "-inf", "Infinity", "-INFINITY", "+Inf", "1e999", "-1e400"])
    func infinityIsAnError(_ cell: String) {
        let error = caughtDataError { try CSVTable.parse("x,y\n\(cell),1\n", path: "data.csv").matrix() }
        #expect(error == .infiniteValue(DataLocation(path: "data.csv", line: 2, column: 1, columnName: "x")))
        #expect(error?.description == "data.csv:2:1 (column 'x'): value is infinite")
    }

    @Test func raggedRows() {
        let short = caughtDataError { try CSVTable.parse("a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3\n", path: "data.csv") }
        #expect(short == .raggedRow(path: "data.csv", line: 5, fields: 3, expected: 4))
        #expect(short?.description == "data.csv:5: row has 3 fields, expected 4")

        let long = caughtDataError { try CSVTable.parse("a,b\n1,2,x,\n", path: "data.csv") }
        #expect(long?.description == "data.csv:2: row has 4 fields, expected 2")

        let one = caughtDataError { try CSVTable.parse("a,b\n1\n", path: "data.csv") }
        #expect(one?.description == "data.csv:2: row has 1 field, expected 2")
    }

    @Test func blankLineInTheMiddleIsARaggedRow() {
        let error = caughtDataError { try CSVTable.parse("a,b\r\n1,2\r\n\r\n3,4\r\n", path: "data.csv") }
        #expect(error == .raggedRow(path: "data.csv", line: 3, fields: 0, expected: 2))
        #expect(error?.description == "data.csv:3: row is blank, expected 2 fields")
        let single = caughtDataError { try CSVTable.parse("y\n1\n \n2\n", path: "data.csv") }
        #expect(single?.description == "data.csv:3: row is blank, expected 1 field")
    }

    @Test func emptyFile() {
        for text in ["", "\n\n", "  \r\n\t\n", "\u{FEFF}"] {
            let error = caughtDataError { try CSVTable.parse(text, path: "data.csv").matrix() }
            #expect(error == .emptyFile(path: "data.csv"))
            #expect(error?.description == "data.csv: file is empty")
        }
    }

    @Test func headerOnly() {
        for text in ["a,b", "a,b\n", "a,b\r\n\r\n\n"] {
            let error = caughtDataError { try CSVTable.parse(text, path: "data.csv").matrix() }
            #expect(error == .noDataRows(path: "data.csv"))
            #expect(error?.description == "data.csv: header only, no data rows")
        }
    }

    @Test func duplicateAndEmptyColumnNames() {
        let duplicate = caughtDataError { try CSVTable.parse("a,b, a\n1,2,3\n", path: "data.csv") }
        #expect(duplicate == .duplicateColumn(path: "data.csv", column: 3, name: "a", firstColumn: 1))
        #expect(duplicate?.description == "data.csv:1:3: duplicate column name 'a' (first in column 1)")

        let empty = caughtDataError { try CSVTable.parse("a,,b\n1,2,3\n", path: "data.csv") }
        #expect(empty == .emptyColumnName(path: "data.csv", column: 2))
        #expect(empty?.description == "data.csv:1:2: column name is empty")

        let trailingComma = caughtDataError { try CSVTable.parse("a,b,\n1,2,3\n", path: "data.csv") }
        #expect(trailingComma == .emptyColumnName(path: "data.csv", column: 3))
    }

    @Test func quotingErrors() {
        let open = caughtDataError { try CSVTable.parse("a,b\n1,\"2\n3,4\n", path: "data.csv") }
        #expect(open == .unterminatedQuote(path: "data.csv", line: 2, column: 2))
        #expect(open?.description == "data.csv:2:2: quoted field is never closed")

        let after = caughtDataError { try CSVTable.parse("a,b\n\"1\"x,2\n", path: "data.csv") }
        #expect(after == .textAfterQuote(path: "data.csv", line: 2, column: 1))
        #expect(after?.description == "data.csv:2:1: unexpected text after closing quote")
    }

    @Test func quotedLineBreaksAdvanceLineNumbers() throws {
        // The header spans lines 1-2, so the data rows are on lines 3 and 4.
        let text = "\"multi\nline\",b\n1,2\n3,oops\n"
        let error = caughtDataError { try CSVTable.parse(text, path: "data.csv").matrix() }
        #expect(error == .notANumber(DataLocation(path: "data.csv", line: 4, column: 2, columnName: "b"), text: "oops"))
        let table = try CSVTable.parse("\"multi\nline\",b\n1,2\n", path: "data.csv")
        #expect(table.columns == ["multi\nline", "b"])
        #expect(table.line(ofRow: 0) == 3)
    }

    @Test func unknownColumnListsTheAvailableOnes() throws {
        let table = try CSVTable.parse("x1,x2,y\n1,2,3\n", path: "data.csv")
        let expected = DataError.unknownColumn(path: "data.csv", name: "z", available: ["x1", "x2", "y"])
        #expect(caughtDataError { try table.column("z") } == expected)
        #expect(caughtDataError { try table.matrix(columns: ["x1", "z"]) } == expected)
        #expect(caughtDataError { try table.classLabels("z") } == expected)
        #expect(expected.description == "data.csv: no column named 'z' (available: 'x1', 'x2', 'y')")
    }

    @Test func valueTooLargeForFloat32() throws {
        let table = try CSVTable.parse("a,b\n1,2\n3,1e39\n", path: "data.csv")
        #expect(try table.column("b") == [2, 1e39])
        let error = caughtDataError { try table.matrix(columns: ["a", "b"]) }
        #expect(error == .outOfFloat32Range(DataLocation(path: "data.csv", line: 3, column: 2, columnName: "b"), value: 1e39))
        #expect(error?.description == "data.csv:3:2 (column 'b'): 1e+39 is too large for Float32")
    }

    @Test func missingAndUnreadableFiles() throws {
        let missing = caughtDataError { try CSVTable.read(path: "/nonexistent-pacio/data.csv") }
        #expect(missing == .fileNotFound(path: "/nonexistent-pacio/data.csv"))
        #expect(missing?.description == "/nonexistent-pacio/data.csv: no such file")
        try withDataScratchDirectory { directory in
            let error = caughtDataError { try CSVTable.read(path: directory) }
            #expect(error == .unreadable(path: directory, reason: "Is a directory"))
            #expect(error?.description == "\(directory): cannot read: Is a directory")
        }
    }
}
