import Foundation
import PostgresNIO
import SocketIO
import Testing

@testable import Handlers

/// What the send path's statements guarantee themselves, now that `messages` has no foreign keys (`Schema.v14`),
/// and how the recovery tables (`Schema.v13`) age out.
@Suite struct SendPathIntegrityTests {
    /// Many sends at once, so that they are written alone and in batches: a sender outside the conversation gets
    /// nothing stored, whatever the node remembered about them, and the participants' sends beside theirs are stored.
    @Test func aSenderOutsideTheConversationHasNothingStoredAloneOrInABatch() async throws {
        try await Fixture.run { fixture in
            let conversation = try #require(UUID(uuidString: try await fixture.startConversation()))
            let store = fixture.service.store
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<48 {
                    let sender = [Fixture.stranger, Fixture.client, Fixture.freelancer][index % 3]
                    group.addTask {
                        let stored = try await store.insert(
                            MessageStore.NewMessage(
                                conversationId: conversation,
                                senderId: sender,
                                content: "message \(index)",
                                messageType: .text,
                                attachments: [],
                                clientMessageId: nil
                            )
                        )
                        return (sender, stored != nil)
                    }
                }
                var outcomes: [(String, Bool)] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.count == 48)
            #expect(outcomes.filter { $0.0 == Fixture.stranger }.allSatisfy { !$0.1 })
            #expect(outcomes.filter { $0.0 != Fixture.stranger }.allSatisfy { $0.1 })
            let rows = try await store.client.query(
                """
                SELECT count(*) FILTER (WHERE sender_id = \(Fixture.stranger)), count(*), max(message_count)
                FROM messages JOIN conversations c ON c.id = messages.conversation_id
                WHERE messages.conversation_id = \(conversation)
                """,
                logger: TestDatabase.logger
            )
            for try await (fromStranger, total, counted) in rows.decode((Int, Int, Int).self) {
                #expect(fromStranger == 0)
                // The first message and the participants' 32; the conversation's count agrees.
                #expect(total == 33)
                #expect(counted == 33)
            }
        }
    }

    /// A user who does not exist cannot be a participant, so nothing refers to a missing user.
    @Test func aSenderWhoIsNoUserHasNothingStored() async throws {
        try await Fixture.run { fixture in
            let conversation = try #require(UUID(uuidString: try await fixture.startConversation()))
            let stored = try await fixture.service.store.insert(
                MessageStore.NewMessage(
                    conversationId: conversation,
                    senderId: "u-nobody",
                    content: "hello",
                    messageType: .text,
                    attachments: [],
                    clientMessageId: "c-1"
                )
            )
            #expect(stored == nil)
        }
    }

    /// Broadcasts older than the window (plus its margin) are deleted by offset; younger ones stay.
    @Test func recoveryCleanUpDeletesBroadcastsOlderThanTheWindowByOffset() async throws {
        try await TestDatabase.withDatabase { client in
            let store = PostgresSessionStore(client: client, logger: TestDatabase.logger, window: .seconds(5))
            // (`make` never goes back in time within a process, so the old offset is built from its millisecond.)
            let old = UUIDv7.earliest(at: Date(timeIntervalSinceNow: -60)).lowercased
            let recent = UUIDv7.make().lowercased
            for offset in [old, recent] {
                store.record(
                    BroadcastMessage(namespace: "/", rooms: ["r"], exceptRooms: [], packet: "2[\"e\"]"),
                    offset: offset
                )
            }
            await store.flush()
            try await store.cleanUp()
            var left: [String] = []
            for try await offset in try await client.query(
                "SELECT event_offset FROM socket_events ORDER BY event_offset",
                logger: TestDatabase.logger
            ).decode(String.self) {
                left.append(offset)
            }
            #expect(left == [recent])
        }
    }

    @Test func theEarliestIdOfAMillisecondOrdersBetweenTheIdsBeforeAndAfterIt() {
        let time = Date(timeIntervalSince1970: 1_700_000_000.123)
        let earliest = UUIDv7.earliest(at: time).lowercased
        #expect(earliest == "018bcfe5-687b-7000-8000-000000000000")
        #expect(UUIDv7.earliest(at: time.addingTimeInterval(-0.001)).lowercased < earliest)
        #expect(UUIDv7.earliest(at: time.addingTimeInterval(0.001)).lowercased > earliest)
        // Any id of that millisecond (version 7, variant bits set, any counter and random bits) is not below it.
        for tail in ["7000-8000-000000000001", "7fff-bfff-ffffffffffff", "7a3c-9e21-5b7c0d4e8f10"] {
            #expect("018bcfe5-687b-" + tail >= earliest)
        }
    }
}
