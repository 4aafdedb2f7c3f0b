// Written by hand (not generated): what a frontend does after a reconnect, keyed on `socket.recovered`.
//
// When the server recovered the session (`socket.recovered === true`) there is nothing to do: the socket kept its
// rooms and the events it missed arrived before "connect". Otherwise (the client was away longer than
// RECOVERY_WINDOW_S, or the server could not recover it) the rooms are gone and events were missed: join each open
// conversation again and fetch, page by page, the messages after the newest one the UI holds.
import type { ApiClient } from "./client";
import type { MessagesSocket } from "./socket";
import type { Message } from "./types";

/** A conversation the UI shows, and the newest message it holds (if any). */
export interface OpenConversation {
  conversationId: string;
  lastMessageId?: string;
}

/**
 * Call from the socket's "connect" handler. Returns the messages fetched per conversation (empty when the session
 * was recovered), oldest first; `onMessages` also receives each page as it arrives.
 */
export async function catchUpAfterReconnect(
  socket: MessagesSocket & { readonly recovered?: boolean },
  api: ApiClient,
  open: OpenConversation[],
  onMessages?: (conversationId: string, messages: Message[]) => void,
): Promise<Map<string, Message[]>> {
  const fetched = new Map<string, Message[]>();
  if (socket.recovered) return fetched;
  for (const conversation of open) {
    await socket.timeout(5000).emitWithAck("join_conversation", { conversationId: conversation.conversationId });
    const messages: Message[] = [];
    let after = conversation.lastMessageId;
    // Without a last message the newest page is enough; with one, page forward until nothing more lies ahead.
    for (;;) {
      const query = after ? { after, limit: 100 } : { limit: 100 };
      const { data } = await api.listMessages({ path: { id: conversation.conversationId }, query });
      messages.push(...data.messages);
      if (data.messages.length > 0) onMessages?.(conversation.conversationId, data.messages);
      if (!after || !data.hasMore || data.messages.length === 0) break;
      after = data.messages[data.messages.length - 1].id;
    }
    fetched.set(conversation.conversationId, messages);
  }
  return fetched;
}
