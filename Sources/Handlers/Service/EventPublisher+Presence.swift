import APIRuntime
import Generated

extension EventPublisher {
    /// A user came online or went offline: to the personal rooms of everyone who shares a conversation with them.
    func presence(_ update: Presence, audience: [String]) async {
        guard !audience.isEmpty else { return }
        await emit("presence") {
            try await emitter.presence(update, to: EventTarget(rooms: audience.map(Self.userRoom)))
        }
    }
}
