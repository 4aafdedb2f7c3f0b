// libFuzzer target: the Engine.IO polling payload and packet decoders. Whatever the bytes, decoding ends (no
// crash, no hang), and every packet it yields reads back as itself from its own text form.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnginePackets(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let packets = try? PollingPayload.decode(text) else { return 0 }
    for packet in packets {
        guard let again = try? EnginePacket.decode(Substring(packet.text)), again == packet else {
            fatalError("\(packet) does not read back from its text form \(packet.text.debugDescription)")
        }
    }
    if let again = try? PollingPayload.decode(PollingPayload.encode(packets)), again != packets {
        fatalError("the payload of \(packets.count) packets does not read back")
    }
    return 0
}
