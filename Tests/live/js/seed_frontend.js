// The design document's frontend, run for real: its REST examples through `fetch` exactly as the document writes
// them, and the calls of its `useMessaging` hook (connect with auth.token, join_conversation, send_message with
// the callback, typing, mark_as_read, leave_conversation) with the official socket.io-client. Two users in one
// page: the client (Ada) and the freelancer (Grace). Each check is reported as {name: true | "what went wrong"}.
async function runSeedFrontend(io, params) {
  const { server, adaToken, graceToken, ada, grace, contractId, milestoneId } = params;
  const transports = params.transports ? { transports: params.transports } : {};
  const results = {};
  const check = (name, ok, detail) => { results[name] = ok ? true : String(JSON.stringify(detail)); };
  const sameKeys = (value, keys) => value !== null && typeof value === "object" &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(value, key));
  const withTimeout = (promise, ms, what) => Promise.race([
    promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms)),
  ]);
  const nextEvent = (socket, name) => new Promise((resolve) => socket.once(name, resolve));
  const authorized = (token) => ({ Authorization: `Bearer ${token}` });

  // The hook, without React: the same calls in the same order, state kept in a plain object.
  function useMessaging(token) {
    const state = { isConnected: false, isTyping: false, messages: [], reads: [], connected: null, socket: null };
    const newSocket = io(`${server}/messages`, { auth: { token }, ...transports });
    newSocket.on("connect", () => { state.isConnected = true; });
    newSocket.on("connected", (data) => { state.connected = data; });
    newSocket.on("disconnect", () => { state.isConnected = false; });
    newSocket.on("new_message", (message) => { state.messages = [...state.messages, message]; });
    newSocket.on("user_typing", (data) => { state.isTyping = data.isTyping; state.typing = data; });
    newSocket.on("messages_read", (data) => { state.reads.push(data); });
    state.socket = newSocket;
    return state;
  }

  try {
    // 1. Create Message (Start New Conversation), as the document's example.
    let response = await fetch(`${server}/api/messages`, {
      method: "POST",
      headers: { ...authorized(adaToken), "Content-Type": "application/json" },
      body: JSON.stringify({ contractId, milestoneId, content: "Hello! How are you?", messageType: "text",
                             attachments: [] }),
    });
    let body = await response.json();
    const created = body.data;
    check("createStatus", response.status === 201, response.status);
    check("createEnvelope", body.success === true && body.message === "Message created successfully", body);
    check("createShape", sameKeys(created, ["id", "conversationId", "sender", "content", "sentAt", "isRead"]) &&
      sameKeys(created.sender, ["id", "firstName", "lastName", "avatar"]) && created.sender.id === ada &&
      created.content === "Hello! How are you?" && created.isRead === false, created);
    const conversationId = created.conversationId;

    // 2. Get All Conversations, with the document's query.
    response = await fetch(`${server}/api/messages/conversations?page=1&limit=20&contractId=${contractId}` +
                           "&includeArchived=false", { headers: authorized(graceToken) });
    body = await response.json();
    check("conversationsEnvelope", response.status === 200 && body.success === true &&
      body.message === "Conversations retrieved successfully", body.message);
    check("conversationsFlat", sameKeys(body.data, ["conversations", "total", "page", "limit", "totalPages"]) &&
      body.data.page === 1 && body.data.limit === 20 && body.data.total === 1 && body.data.totalPages === 1 &&
      !("pagination" in body.data), body.data);
    const conversation = body.data.conversations[0] || {};
    check("conversationShape", sameKeys(conversation, ["id", "contractId", "milestoneId", "client", "freelancer",
      "lastMessage", "unreadCount", "isActive"]) && conversation.id === conversationId &&
      conversation.milestoneId === milestoneId && conversation.lastMessage.content === "Hello! How are you?" &&
      typeof conversation.lastMessage.sentAt === "string" && conversation.unreadCount === 1 &&
      conversation.isActive === true, conversation);

    // 3. Both open the chat: the hook connects and joins the conversation room with a callback.
    const adaView = useMessaging(adaToken);
    const graceView = useMessaging(graceToken);
    await withTimeout(Promise.all([adaView, graceView].map((view) =>
      view.socket.connected ? null : nextEvent(view.socket, "connect"))), 10000, "connect");
    await withTimeout(new Promise((resolve) => {
      const wait = () => (adaView.connected && graceView.connected ? resolve() : setTimeout(wait, 20));
      wait();
    }), 5000, "connected events");
    check("connectedEvent", adaView.connected.userId === ada && adaView.connected.socketId === adaView.socket.id &&
      graceView.connected.userId === grace, [adaView.connected, graceView.connected]);
    const joined = await withTimeout(Promise.all([adaView, graceView].map((view) => new Promise((resolve) => {
      view.socket.emit("join_conversation", { conversationId }, (response) => resolve(response));
    }))), 5000, "join");
    check("joinCallback", joined.every((r) => r.success === true), joined);

    // The component marks the conversation read when it opens it: Grace had Ada's message unread.
    const opened = nextEvent(adaView.socket, "messages_read");
    graceView.socket.emit("mark_as_read", { conversationId });
    const openedRead = await withTimeout(opened, 5000, "messages_read on open");
    check("openMarksRead", openedRead.userId === grace && openedRead.lastReadMessageId === created.id, openedRead);

    // 4. Grace types; Ada's hook shows "User is typing...".
    const typed = nextEvent(adaView.socket, "user_typing");
    graceView.socket.emit("typing", { conversationId, isTyping: true });
    const typing = await withTimeout(typed, 5000, "user_typing");
    check("typingIndicator", typing.conversationId === conversationId && typing.userId === grace &&
      typing.isTyping === true && adaView.isTyping === true, typing);

    // 5. Grace sends with the hook's sendMessage: the callback gets the message; Ada's new_message has it unread.
    const arrived = nextEvent(adaView.socket, "new_message");
    const sent = await withTimeout(new Promise((resolve) => {
      graceView.socket.emit("send_message", { conversationId, content: "Fine, thanks!", messageType: "text",
                                              attachments: [] }, (response) => resolve(response));
    }), 5000, "send_message");
    check("sendCallback", sent.success === true && sent.message.content === "Fine, thanks!" &&
      sent.message.sender.id === grace && sent.message.isRead === false, sent);
    const live = await withTimeout(arrived, 5000, "new_message");
    check("newMessageLive", live.id === sent.message.id && live.isRead === false &&
      sameKeys(live, ["id", "conversationId", "sender", "content", "messageType", "attachments", "sentAt"]), live);

    // 6. Ada views it: the hook's markAsRead (no callback); Grace learns how far Ada read.
    const receipt = nextEvent(graceView.socket, "messages_read");
    adaView.socket.emit("mark_as_read", { conversationId });
    const read = await withTimeout(receipt, 5000, "messages_read");
    check("messagesRead", read.conversationId === conversationId && read.userId === ada &&
      typeof read.readAt === "string" && read.lastReadMessageId === sent.message.id, read);

    // 7. Get Messages in Conversation, with the document's query: flat, and Grace's message now reads as seen.
    const probe = await fetch(`${server}/api/messages`, {
      method: "POST", headers: { ...authorized(adaToken), "Content-Type": "application/json" },
      body: JSON.stringify({ contractId, milestoneId, content: "One more thing" }),
    }).then((r) => r.json());
    const message_id = probe.data.id;
    response = await fetch(`${server}/api/messages/conversations/${conversationId}/messages?page=1&limit=50` +
                           `&before=${message_id}`, { headers: authorized(graceToken) });
    body = await response.json();
    check("messagesEnvelope", response.status === 200 && body.success === true &&
      body.message === "Messages retrieved successfully", body.message);
    check("messagesFlat", sameKeys(body.data, ["messages", "total", "page", "limit", "hasMore"]) &&
      body.data.total === 3 && body.data.page === 1 && body.data.limit === 50 && body.data.hasMore === false &&
      !("pagination" in body.data), body.data);
    const history = body.data.messages;
    check("historyBeforeCursor", history.map((m) => m.content).join("|") === "Hello! How are you?|Fine, thanks!",
      history.map((m) => m.content));
    check("seenByRecipient", history.every((m) => m.isRead === true) && sameKeys(history[0], ["attachments"]),
      history.map((m) => [m.content, m.isRead]));
    const adaHistory = await fetch(`${server}/api/messages/conversations/${conversationId}/messages?page=1&limit=50`,
                                   { headers: authorized(adaToken) }).then((r) => r.json());
    check("sameAnswerForBoth", adaHistory.data.messages.map((m) => m.isRead).join() === "true,true,false",
      adaHistory.data.messages.map((m) => [m.content, m.isRead]));

    // 8. Mark Messages as Read over REST: Ada's hook gets messages_read.
    const restReceipt = nextEvent(adaView.socket, "messages_read");
    response = await fetch(`${server}/api/messages/conversations/${conversationId}/read`, {
      method: "PATCH", headers: authorized(graceToken),
    });
    body = await response.json();
    const restRead = await withTimeout(restReceipt, 5000, "messages_read after PATCH");
    check("markReadRest", response.status === 200 && body.success === true && body.data.unreadCount === 0 &&
      restRead.userId === grace && restRead.lastReadMessageId === message_id, [body, restRead]);

    // 9. Ada leaves the room (the hook's cleanup): new_message stops, message_notification still comes.
    adaView.socket.emit("leave_conversation", { conversationId });
    const notified = nextEvent(adaView.socket, "message_notification");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = adaView.messages.length;
    response = await fetch(`${server}/api/messages/conversations/${conversationId}/messages`, {
      method: "POST", headers: { ...authorized(graceToken), "Content-Type": "application/json" },
      body: JSON.stringify({ content: "New message here", messageType: "text", attachments: [] }),
    });
    body = await response.json();
    const notification = await withTimeout(notified, 5000, "message_notification");
    await new Promise((resolve) => setTimeout(resolve, 300));
    check("sendRest", response.status === 201 && body.message === "Message sent successfully", body.message);
    check("leftRoom", adaView.messages.length === before && notification.conversationId === conversationId &&
      notification.message.id === body.data.id, [adaView.messages.length, before, notification]);
    results.transportName = adaView.socket.io.engine.transport.name;
    for (const view of [adaView, graceView]) view.socket.close();
  } catch (error) {
    results.error = String(error && error.stack || error);
  }
  return results;
}

if (typeof module !== "undefined") module.exports = { runSeedFrontend };
