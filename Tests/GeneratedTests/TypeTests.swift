import APIRuntime
import Foundation
import Generated
import Testing

@Suite struct TypeTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONCoding.decoder.decode(type, from: Data(json.utf8))
    }

    @Test func defaultsApplyWhenAbsent() throws {
        let request = try decode(CreateMessageRequest.self, #"{"contractId":"c","content":"x"}"#)
        #expect(request.messageType == .text)
        #expect(request.milestoneId == nil)
        #expect(request.attachments == nil)
    }

    @Test func validationReportsPathsOfNestedFields() throws {
        let request = try decode(
            CreateMessageRequest.self,
            #"{"contractId":"","content":"x","attachments":[{"url":"https://a.example/x","name":"","mimeType":"t","size":-1}],"clientMessageId":""}"#
        )
        var validator = Validator()
        request.validate(at: "", into: &validator)
        let problems = validator.problems.map(\.description)
        #expect(problems.contains("contractId: must not be empty"))
        #expect(problems.contains("attachments[0].name: must not be empty"))
        #expect(problems.contains("attachments[0].size: must be at least 0"))
        #expect(problems.contains("clientMessageId: must not be empty"))
    }

    @Test func datesRoundTripWithMilliseconds() throws {
        let data = JSONCoding.encode(Sample.message)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""sentAt":"2026-11-18T11:06:40.250Z""#))
        let back = try JSONCoding.decoder.decode(Message.self, from: data)
        #expect(back == Sample.message)
    }

    @Test func datesWithoutFractionAreAccepted() throws {
        let read = try decode(
            MessagesRead.self,
            #"{"conversationId":"x","userId":"u","readAt":"2026-01-02T03:04:05Z","lastReadMessageId":null}"#
        )
        #expect(read.readAt == Date(timeIntervalSince1970: 1_767_323_045))
    }

    @Test func optionalPropertiesAreOmittedWhenNil() throws {
        var message = Sample.message
        message.clientMessageId = nil
        let text = String(decoding: JSONCoding.encode(message), as: UTF8.self)
        #expect(!text.contains("clientMessageId"))
    }
}
