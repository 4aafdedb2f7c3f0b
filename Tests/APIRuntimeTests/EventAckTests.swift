import Foundation
import Testing

@testable import APIRuntime

@Suite struct EventAckTests {
    @Test func errorOutcomesNameTheirCodeInTheAckAndBesideIt() throws {
        let limited = EventOutcome.failure(.rateLimited(retryAfterSeconds: 3))
        #expect(limited.errorCode == "RATE_LIMITED")
        #expect(String(decoding: limited.ack, as: UTF8.self).contains(#""code":"RATE_LIMITED""#))
        #expect(EventDispatch.unknownEvent("x").errorCode == "UNKNOWN_EVENT")
    }

    @Test func successOutcomesHaveNoCode() throws {
        let ok = EventOutcome.success(JSONCoding.encode(SuccessAck()))
        #expect(ok.errorCode == nil)
        #expect(String(decoding: ok.ack, as: UTF8.self) == #"{"success":true}"#)
    }
}
