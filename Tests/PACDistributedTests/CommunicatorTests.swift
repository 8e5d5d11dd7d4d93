@testable import PACDistributed
import Testing

/// The single-process communicator and the helpers of the MPI one. The collectives of a real
/// multi-rank job are checked by `pacnet cluster` under `mpirun` (scripts/mpi-check.sh in CI):
/// a test bundle must not start MPI.
struct CommunicatorTests {
    @Test func singleProcessCollectivesAreIdentities() throws {
        let world = SingleProcess()
        #expect(world.rank == 0 && world.size == 1 && world.isRoot)
        var bytes: [UInt8] = [1, 2, 3]
        try world.broadcast(&bytes, root: 0)
        #expect(bytes == [1, 2, 3])
        var values: [Float] = [1.5, -2]
        try world.allreduceSum(&values)
        #expect(values == [1.5, -2])
        #expect(try world.gather([4, 5], root: 0) == [[4, 5]])
        #expect(try world.allGather([6]) == [[6]])
        try ClusterCheck.run(on: world, floats: 1000)
    }

    @Test func packingRoundTripsEmptyAndLongParts() {
        let parts: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300), []]
        #expect(SingleProcess.unpack(SingleProcess.pack(parts)) == parts)
        #expect(SingleProcess.unpack([]) == [])
    }

    @Test func piecesCoverLongMessagesInInt32Chunks() {
        #expect(OpenMPI.pieces(0).map { [$0.0, $0.1] } == [[0, 0]])
        #expect(OpenMPI.pieces(10).map { [$0.0, $0.1] } == [[0, 10]])
        let big = Int(Int32.max) * 2 + 5
        let pieces = OpenMPI.pieces(big)
        #expect(pieces.count == 3 && pieces.allSatisfy { $0.1 <= Int(Int32.max) })
        #expect(pieces.map(\.1).reduce(0, +) == big && pieces.last!.0 == Int(Int32.max) * 2)
    }

    @Test func aMissingLibraryIsAClearError() {
        do {
            _ = try OpenMPI(libraries: ["/nonexistent/libmpi.so.40"])
            Issue.record("opened a library that does not exist")
        } catch {
            #expect(error.description.contains("no Open MPI library could be loaded"))
            #expect(error.description.contains("apt-get install openmpi-bin") && error.description.contains("PACNET_MPI_LIBRARY"))
        }
    }
}
