// A small ambient declaration of the parts of socket.io-client the generated stubs use, so that
// `tsc --noEmit --strict` can check payloads without the npm package (the registry is not reachable in CI).
// Its shapes follow socket.io-client 4.x: events maps of (...args) => void, acks as a trailing callback.
declare module "socket.io-client" {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface EventsMap { [event: string]: any }
  type Last<T extends unknown[]> = T extends [...infer _, infer L] ? L : never;
  type AllButLast<T extends unknown[]> = T extends [...infer H, unknown?] ? H : never;
  type AckArgument<F> = F extends ((reply: infer R) => void) | undefined ? R : never;

  export interface ManagerOptions {
    path?: string;
    transports?: Array<"polling" | "websocket">;
    reconnection?: boolean;
  }

  export interface SocketOptions {
    auth?: { [key: string]: unknown } | ((cb: (data: object) => void) => void);
  }

  export interface Socket<Listen extends EventsMap, Emit extends EventsMap> {
    readonly id: string | undefined;
    readonly connected: boolean;
    /** Whether connection state recovery restored the session on the last "connect" (socket.io-client 4.6+). */
    readonly recovered: boolean;
    on<Ev extends keyof Listen & string>(event: Ev, listener: Listen[Ev]): this;
    on(event: "connect" | "disconnect", listener: (reason?: string) => void): this;
    on(event: "connect_error", listener: (error: Error & { data?: unknown }) => void): this;
    off<Ev extends keyof Listen & string>(event: Ev, listener?: Listen[Ev]): this;
    emit<Ev extends keyof Emit & string>(event: Ev, ...args: Parameters<Emit[Ev]>): this;
    emitWithAck<Ev extends keyof Emit & string>(
      event: Ev,
      ...args: AllButLast<Parameters<Emit[Ev]>>
    ): Promise<AckArgument<Last<Required<Parameters<Emit[Ev]>>>>>;
    timeout(milliseconds: number): Socket<Listen, Emit>;
    disconnect(): this;
    close(): this;
  }

  export function io<Listen extends EventsMap = EventsMap, Emit extends EventsMap = EventsMap>(
    uri: string,
    options?: Partial<ManagerOptions & SocketOptions>
  ): Socket<Listen, Emit>;
}
