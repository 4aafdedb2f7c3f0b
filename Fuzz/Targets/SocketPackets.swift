// libFuzzer target: the Socket.IO packet decoder, its JSON scanner and the binary reassembly. Whatever the bytes,
// decoding ends; a packet it accepts reads back as itself from its own encoding, its JSON is JSON to Foundation
// too (what the server hands on must parse in any client), and its attachments (taken from the rest of the
// input) assemble within the byte bound or fail, never past it.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSocketPackets(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The first line is the packet; the lines after it are its attachments.
    let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    let text = String(decoding: lines.first.map { Array($0) } ?? [], as: UTF8.self)
    if let value = try? JSONText(validating: text) {
        checkFoundationParses(value.text)
    }
    guard let packet = try? SocketPacket.decode(text) else { return 0 }
    guard let again = try? SocketPacket.decode(packet.encode()), again == packet else {
        fatalError("\(packet) does not read back from \(packet.encode().debugDescription)")
    }
    if let json = packet.json { checkFoundationParses(json) }
    for argument in packet.arguments { checkFoundationParses(argument.text) }
    let bound = 64
    guard var assembly = BinaryAssembly(packet, maxBytes: bound) else { return 0 }
    var total = 0
    for line in lines.dropFirst() {
        total += line.count
        switch assembly.add(Array(line)) {
        case .incomplete:
            continue
        case .complete(_, let attachments):
            guard attachments.count == packet.attachments, total <= bound else { fatalError("bad assembly") }
            return 0
        case .overflow:
            guard total > bound else { fatalError("overflow below the bound") }
            return 0
        }
    }
    return 0
}

/// Two differences from Foundation are the grammar's and the reference's (JavaScript's `JSON.parse`) choice, not
/// flaws: a `\u` escape of a lone UTF-16 surrogate, and a number too large for a Double (JavaScript reads
/// `Infinity`). Foundation rejects both; a handler that decodes such an argument with Foundation answers with an
/// error ack. Other accepted text must parse in Foundation, with its numbers replaced by 0.
private func escapesASurrogate(_ json: String) -> Bool {
    let bytes = Array(json.utf8)
    var index = 0
    while index + 3 < bytes.count {
        if bytes[index] == UInt8(ascii: "\\") {
            if bytes[index + 1] == UInt8(ascii: "u"), (bytes[index + 2] | 0x20) == UInt8(ascii: "d"),
                Array("89abcdef".utf8).contains(bytes[index + 3] | 0x20)
            {
                return true
            }
            index += 2
        } else {
            index += 1
        }
    }
    return false
}

/// The text with every number outside strings replaced by `0`.
private func zeroingNumbers(_ json: String) -> String {
    var output: [UInt8] = []
    var inString = false
    var escaped = false
    var inNumber = false
    for byte in json.utf8 {
        if inString {
            output.append(byte)
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            continue
        }
        let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        if inNumber, digit || Array("-+.eE".utf8).contains(byte) { continue }
        if digit || byte == UInt8(ascii: "-") {
            output.append(UInt8(ascii: "0"))
            inNumber = true
            continue
        }
        inNumber = false
        if byte == UInt8(ascii: "\"") { inString = true }
        output.append(byte)
    }
    return String(decoding: output, as: UTF8.self)
}

private func checkFoundationParses(_ json: String) {
    guard !escapesASurrogate(json) else { return }
    let data = Data(zeroingNumbers(json).utf8)
    guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else {
        fatalError("accepted as JSON but Foundation cannot parse it: \(json.debugDescription)")
    }
}
