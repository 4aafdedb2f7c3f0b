/// socket.io-client event maps: `Socket<ServerToClientEvents, ClientToServerEvents>` per namespace.
extension TypeScriptRenderer {
    func renderSocket() -> String {
        var writer = header()
        writer.line("import type { Socket } from \"socket.io-client\";")
        writer.line("import type * as T from \"./types\";")
        for channel in model.channels {
            writer.line()
            writeChannel(channel, into: &writer)
        }
        if model.channels.count == 1, let channel = model.channels.first {
            let prefix = Naming.typeName(channel.key)
            writer.line()
            writer.jsDoc("The event maps of the only namespace, under socket.io's conventional names.")
            writer.line("export type ServerToClientEvents = \(prefix)ServerToClientEvents;")
            writer.line("export type ClientToServerEvents = \(prefix)ClientToServerEvents;")
        }
        return writer.text
    }

    private func writeChannel(_ channel: SocketChannel, into writer: inout CodeWriter) {
        let prefix = Naming.typeName(channel.key)
        let constant = channel.key.uppercased() + "_NAMESPACE"
        writer.jsDoc("The Socket.IO namespace to connect to: `io(baseUrl + \(constant), { auth: { token } })`.")
        writer.line("export const \(constant) = \(Naming.literal(channel.address));")
        writer.line()
        let errorAck = channel.errorAckSchema.map { " | T." + Naming.typeName($0) } ?? ""
        writer.jsDoc("Events the server emits on `\(channel.address)`.")
        writer.block("export interface \(prefix)ServerToClientEvents {") { w in
            for event in channel.serverEvents {
                w.jsDoc(event.summary)
                w.line("\(eventKey(event.name)): (payload: T.\(Naming.typeName(event.payloadSchema))) => void;")
            }
        }
        writer.line()
        writer.jsDoc(
            "Events clients emit on `\(channel.address)`; the optional callback receives the one acknowledgement."
        )
        writer.block("export interface \(prefix)ClientToServerEvents {") { w in
            for event in channel.clientEvents {
                w.jsDoc(event.summary)
                let reply = event.replySchema.map { "T." + Naming.typeName($0) } ?? "{ success: true }"
                w.line(
                    "\(eventKey(event.name)): (payload: T.\(Naming.typeName(event.payloadSchema)), ack?: (reply: \(reply)\(errorAck)) => void) => void;"
                )
            }
        }
        writer.line()
        writer.jsDoc("A socket.io-client socket typed for `\(channel.address)`.")
        writer.line(
            "export type \(prefix)Socket = Socket<\(prefix)ServerToClientEvents, \(prefix)ClientToServerEvents>;"
        )
    }

    private func eventKey(_ name: String) -> String {
        isIdentifierLike(name) ? name : Naming.literal(name)
    }
}
