// Compile-only checks of the generated stubs: correct use type-checks, and each `@ts-expect-error`
// line proves that tsc rejects a wrong payload, a wrong ack type or a wrong REST argument.
import { io } from "socket.io-client";
import {
  ApiClient,
  MESSAGES_NAMESPACE,
  type ClientToServerEvents,
  type Message,
  type MessagesSocket,
  type ServerToClientEvents,
} from "../src/index";

export async function restUsage(): Promise<string> {
  const api = new ApiClient({ baseUrl: "http://localhost:8000", token: () => "jwt" });
  const created = await api.createMessage({ body: { contractId: "c-1", content: "hello" } });
  const page = await api.listMessages({ path: { id: created.data.conversationId }, query: { limit: 50, before: created.data.id } });
  const list = await api.listConversations();
  await api.markConversationRead({ path: { id: created.data.conversationId } });

  // @ts-expect-error content is required
  await api.createMessage({ body: { contractId: "c-1" } });
  // @ts-expect-error limit is a number
  await api.listConversations({ query: { limit: "10" } });
  // @ts-expect-error the path parameter is required
  await api.getConversation({});

  return page.data.messages.map((message: Message) => message.content).join() + list.data.total + list.data.totalPages;
}

export async function socketUsage(token: string): Promise<void> {
  const socket: MessagesSocket = io<ServerToClientEvents, ClientToServerEvents>(
    "http://localhost:8000" + MESSAGES_NAMESPACE,
    { auth: { token } }
  );
  socket.on("new_message", (message) => {
    const sentAt: string = message.sentAt;
    const milestone: string | null = message.sender.avatar;
    void sentAt;
    void milestone;
  });
  socket.on("user_typing", (typing) => {
    const isTyping: boolean = typing.isTyping;
    void isTyping;
  });
  socket.emit("send_message", { conversationId: "id", content: "hi" }, (reply) => {
    if (reply.success) {
      const message: Message = reply.message;
      void message;
    } else {
      const code: string = reply.code;
      void code;
    }
  });
  socket.emit("typing", { conversationId: "id", isTyping: true });
  const ack = await socket.timeout(5000).emitWithAck("mark_as_read", { conversationId: "id" });
  if (ack.success) {
    const unread: number = ack.unreadCount;
    void unread;
  }

  // @ts-expect-error send_message needs content
  socket.emit("send_message", { conversationId: "id" });
  // @ts-expect-error isTyping is a boolean
  socket.emit("typing", { conversationId: "id", isTyping: "yes" });
  // @ts-expect-error unknown event
  socket.emit("delete_everything", {});
  // @ts-expect-error new_message carries a Message, which has no `text` field
  socket.on("new_message", (message) => message.text);
  socket.emit("join_conversation", { conversationId: "id" }, (reply) => {
    // @ts-expect-error a join ack carries no message
    void reply.message.id;
  });
}
