import Foundation
import Testing

@testable import APIRuntime

@Suite struct EventAckTests {
    @Test func errorAcksNameTheirCode() {
        let ack = EventDispatch.errorAck(.rateLimited(retryAfterSeconds: 3))
        #expect(EventDispatch.errorCode(ofAck: ack) == "RATE_LIMITED")
        #expect(EventDispatch.errorCode(ofAck: EventDispatch.unknownEvent("x")) == "UNKNOWN_EVENT")
    }

    @Test func successAcksHaveNoCode() throws {
        #expect(EventDispatch.errorCode(ofAck: try JSONCoding.encode(SuccessAck())) == nil)
        #expect(
            EventDispatch.errorCode(ofAck: Data(#"{"message":{"content":"{\"code\":\"X\"}"},"success":true}"#.utf8))
                == nil
        )
    }
}
