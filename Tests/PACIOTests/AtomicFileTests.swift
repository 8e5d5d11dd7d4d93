import Foundation
import PACIO
import Testing

@Suite("Atomic file writes")
struct AtomicFileTests {
    private func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func writesANewFile() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/model.bin"
            try AtomicFile.write(Data([1, 2, 3]), to: path, overwrite: false)
            #expect(try contents(path) == Data([1, 2, 3]))
            #expect(try dataDirectoryListing(directory) == ["model.bin"])
        }
    }

    @Test func writesText() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/report.txt"
            try AtomicFile.write("héllo\n", to: path, overwrite: false)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "héllo\n")
        }
    }

    @Test func writesAnEmptyFile() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/empty"
            try AtomicFile.write(Data(), to: path, overwrite: false)
            #expect(try contents(path).isEmpty)
        }
    }

    @Test func refusesAnExistingFileWithoutOverwrite() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/out.npy"
            try AtomicFile.write("original", to: path, overwrite: false)
            let error = caughtDataError { try AtomicFile.write("replacement", to: path, overwrite: false) }
            #expect(error == .outputExists(path: path))
            #expect(error?.description == "\(path): output file exists (use --force to overwrite)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "original")
            #expect(try dataDirectoryListing(directory) == ["out.npy"])
        }
    }

    @Test func refusesAnExistingDirectoryEvenWithOverwrite() throws {
        try withDataScratchDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory + "/taken", withIntermediateDirectories: false)
            for overwrite in [false, true] {
                let error = caughtDataError { try AtomicFile.write("x", to: directory + "/taken", overwrite: overwrite) }
                #expect(error == .unsuitableOutput(path: directory + "/taken",
                                                   reason: "it is a folder; outputs are regular files or character devices such as /dev/stdout"))
                #expect(try dataDirectoryListing(directory) == ["taken"])
            }
        }
    }

    @Test func overwritesWhenAsked() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/out.npy"
            try AtomicFile.write("a much longer original text", to: path, overwrite: false)
            try AtomicFile.write("new", to: path, overwrite: true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
            #expect(try dataDirectoryListing(directory) == ["out.npy"])
        }
    }

    @Test func overwriteCreatesAMissingFileToo() throws {
        try withDataScratchDirectory { directory in
            try AtomicFile.write("x", to: directory + "/fresh", overwrite: true)
            #expect(try dataDirectoryListing(directory) == ["fresh"])
        }
    }

    @Test func missingDirectoryThrowsAndLeavesNothing() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/missing/out.bin"
            let error = caughtDataError { try AtomicFile.write(Data([1]), to: path, overwrite: true) }
            #expect(error == .unsuitableOutput(path: path, reason: "folder '\(directory)/missing' does not exist"))
            #expect(error?.description == "\(path): cannot write the output here: folder '\(directory)/missing' does not exist")
            let listing = try dataDirectoryListing(directory)
            #expect(listing.isEmpty)
        }
    }

    @Test func aFolderInTheWayIsRefusedBeforeAnythingIsWritten() throws {
        try withDataScratchDirectory { directory in
            // A non-empty folder at the output path: refused up front, so no temporary file is made.
            let target = directory + "/occupied"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            try AtomicFile.write("inside", to: target + "/keep", overwrite: false)
            let error = caughtDataError { try AtomicFile.write(Data([1, 2]), to: target, overwrite: true) }
            guard case .unsuitableOutput(let path, _)? = error else {
                Issue.record("expected unsuitableOutput, got \(String(describing: error))")
                return
            }
            #expect(path == target)
            #expect(try dataDirectoryListing(directory) == ["occupied"])
            #expect(try dataDirectoryListing(target) == ["keep"])
        }
    }

    @Test func largeWriteRoundTrips() throws {
        try withDataScratchDirectory { directory in
            let path = directory + "/big.bin"
            let data = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try AtomicFile.write(data, to: path, overwrite: false)
            #expect(try contents(path) == data)
        }
    }
}
