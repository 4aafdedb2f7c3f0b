import Synchronization
import Testing

@testable import SocketIO

/// The push mode of the WebSocket transport: packets reach the sink in the order they were queued, whatever
/// thread queues them, and the sink hears of the end once.
@Suite struct EngineSessionPushTests {
    final class Recorder: Sendable {
        let deliveries = Mutex<[[EnginePacket]?]>([])
        var packets: [EnginePacket] { deliveries.withLock { $0.compactMap { $0 }.flatMap { $0 } } }
        var ends: Int { deliveries.withLock { $0.filter { $0 == nil }.count } }
    }

    func session() -> EngineSession {
        EngineSession(
            id: "s",
            transport: .websocket,
            handshake: Handshake(headers: [:], query: [:], auth: nil),
            pingInterval: .seconds(25),
            pingTimeout: .seconds(20)
        )
    }

    @Test func packetsQueuedBeforeAndAfterPushingArriveInOrder() {
        let session = session()
        session.send([.message("0")])
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        session.send([.message("1"), .message("2")])
        session.send([.message("3")])
        #expect(recorder.packets == (0...3).map { .message("\($0)") })
        #expect(recorder.ends == 0)
        session.close(.serverShuttingDown)
        #expect(recorder.packets.last == .close)
        #expect(recorder.ends == 1)
        session.send([.message("late")])
        #expect(recorder.ends == 1)
        #expect(!recorder.packets.contains(.message("late")))
    }

    @Test func concurrentSendersKeepEachSendersOrder() async {
        let session = session()
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        await withTaskGroup(of: Void.self) { group in
            for sender in 0..<4 {
                group.addTask {
                    for index in 0..<250 { session.send([.message("\(sender):\(index)")]) }
                }
            }
        }
        let packets = recorder.packets
        #expect(packets.count == 1_000)
        for sender in 0..<4 {
            let mine = packets.compactMap { packet -> Int? in
                guard case .message(let text) = packet, text.hasPrefix("\(sender):") else { return nil }
                return Int(text.dropFirst(2))
            }
            #expect(mine == Array(0..<250))
        }
    }

    @Test func anUpgradedPollingSessionIsPushedOverItsWebSocket() {
        let session = EngineSession(
            id: "p",
            transport: .polling,
            handshake: Handshake(headers: [:], query: [:], auth: nil),
            pingInterval: .seconds(25),
            pingTimeout: .seconds(20)
        )
        session.probeReceived()
        session.upgradeReceived()
        let recorder = Recorder()
        session.push(over: .websocket) { packets in recorder.deliveries.withLock { $0.append(packets) } }
        session.send([.message("after upgrade")])
        #expect(recorder.packets == [.message("after upgrade")])
    }
}
