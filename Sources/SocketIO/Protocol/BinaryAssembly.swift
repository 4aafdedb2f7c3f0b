/// A binary packet being put together: its header arrived as text, its attachments follow as binary messages.
/// The attachments together stay within a byte bound; past it the assembly fails (and the session with it).
struct BinaryAssembly {
    enum Step: Equatable {
        /// More attachments are expected.
        case incomplete
        /// Every attachment arrived.
        case complete(SocketPacket, attachments: [[UInt8]])
        /// The attachments passed the bound.
        case overflow
    }

    let packet: SocketPacket
    let maxBytes: Int
    private var attachments: [[UInt8]] = []
    private var bytes = 0

    /// Starts the assembly of `packet`; nil when it expects no attachment.
    init?(_ packet: SocketPacket, maxBytes: Int) {
        guard packet.kind == .binaryEvent || packet.kind == .binaryAck, packet.attachments > 0 else { return nil }
        self.packet = packet
        self.maxBytes = maxBytes
    }

    mutating func add(_ attachment: [UInt8]) -> Step {
        bytes += attachment.count
        guard bytes <= maxBytes else { return .overflow }
        attachments.append(attachment)
        return attachments.count == packet.attachments ? .complete(packet, attachments: attachments) : .incomplete
    }
}
