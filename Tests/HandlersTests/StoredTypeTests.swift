import Generated
import Handlers
import Testing

@Suite struct StoredTypeTests {
    /// Each request schema declares the message types a user may send as its own enumeration; every one of them
    /// must be a stored type, and none of them `system`.
    @Test func everyTypeAUserMaySendIsAStoredTypeOtherThanSystem() throws {
        var sendable: [MessageType] = []
        for type in CreateMessageRequest.MessageType.allCases { sendable.append(try MessagingService.storedType(type)) }
        for type in SendMessageRequest.MessageType.allCases { sendable.append(try MessagingService.storedType(type)) }
        for type in SocketSendMessage.MessageType.allCases { sendable.append(try MessagingService.storedType(type)) }
        #expect(Set(sendable) == [.text, .file])
    }
}
