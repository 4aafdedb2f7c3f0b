import Testing

@testable import Handlers

/// The per-user ceiling counts CONNECTs in flight with the sockets already in, and gives back the places of
/// CONNECTs that never completed.
@Suite struct ConnectionAdmissionsTests {
    @Test func connectsInFlightCountAgainstTheLimit() {
        let admissions = ConnectionAdmissions()
        #expect(admissions.reserve(user: "u", limit: 2) { 0 })
        #expect(admissions.reserve(user: "u", limit: 2) { 0 })
        #expect(!admissions.reserve(user: "u", limit: 2) { 0 })
        #expect(admissions.reserve(user: "other", limit: 2) { 0 })
        // One CONNECT completed: its socket now counts in the room, its place is given back.
        admissions.settle(user: "u")
        #expect(!admissions.reserve(user: "u", limit: 2) { 1 })
        admissions.settle(user: "u")
        #expect(admissions.reserve(user: "u", limit: 2) { 1 })
    }

    @Test func aPlaceWhoseConnectNeverCompletedIsGivenBack() async throws {
        let admissions = ConnectionAdmissions(pendingLifetime: .milliseconds(50))
        #expect(admissions.reserve(user: "u", limit: 1) { 0 })
        #expect(!admissions.reserve(user: "u", limit: 1) { 0 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(admissions.reserve(user: "u", limit: 1) { 0 })
    }
}
