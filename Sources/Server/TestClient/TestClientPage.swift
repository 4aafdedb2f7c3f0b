/// The browser test client served at `/`: log in with a token (or a demo user), list conversations with unread
/// badges, open one, load older messages, send, and watch typing and read receipts live over the official
/// socket.io client. All user content is inserted as text (`textContent`), never as markup.
enum TestClientPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Messaging test client</title>
        <link rel="icon" href="data:,">
        <style>
          body { font: 14px system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
          header { display: flex; gap: 12px; align-items: center; padding: 8px 16px; background: #24292f; color: #fff; }
          header h1 { font-size: 16px; margin: 0; flex: 1; }
          #state { padding: 2px 8px; border-radius: 10px; background: #6e7781; }
          #state.connected { background: #1a7f37; } #state.connecting { background: #9a6700; }
          #login { padding: 16px; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
          #login textarea { width: 420px; height: 48px; font: 12px monospace; }
          #notice { margin: 0 16px; color: #cf222e; }
          main { display: flex; height: calc(100vh - 140px); margin: 0 16px 16px; gap: 12px; }
          #sidebar { width: 300px; overflow-y: auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
          #conversations { list-style: none; margin: 0; padding: 0; }
          #conversations li { padding: 8px 10px; border-bottom: 1px solid #eaeef2; cursor: pointer; }
          #conversations li.open { background: #ddf4ff; }
          .title { font-weight: 600; } .preview { color: #57606a; font-size: 12px; }
          .badge { float: right; min-width: 18px; text-align: center; border-radius: 9px; background: #cf222e;
                   color: #fff; font-size: 12px; padding: 0 5px; }
          .badge:empty, .badge[data-count="0"] { display: none; }
          #chat { flex: 1; display: flex; flex-direction: column; background: #fff; border: 1px solid #d0d7de;
                  border-radius: 6px; }
          #chat-title { padding: 8px 12px; border-bottom: 1px solid #eaeef2; font-weight: 600; }
          #history { flex: 1; overflow-y: auto; padding: 8px 12px; }
          #messages { list-style: none; margin: 0; padding: 0; }
          #messages li { margin: 6px 0; max-width: 70%; padding: 6px 10px; border-radius: 8px; background: #eaeef2; }
          #messages li.mine { margin-left: auto; background: #ddf4ff; }
          .meta { font-size: 11px; color: #57606a; } .receipt { font-size: 11px; color: #1a7f37; margin-left: 6px; }
          #typing { min-height: 18px; padding: 0 12px; color: #57606a; font-style: italic; }
          #composer-row { display: flex; gap: 8px; padding: 8px 12px; border-top: 1px solid #eaeef2; }
          #composer { flex: 1; padding: 6px; }
          [hidden] { display: none !important; }
        </style>
        </head>
        <body>
        <header><h1>Messaging test client</h1><span id="me"></span><span id="state">disconnected</span></header>
        <div id="login">
          <span id="demo" hidden>Demo user: <select id="demo-users"></select>
            <button id="demo-login" type="button">Use</button> or </span>
          <textarea id="token" placeholder="Paste a JWT (Bearer token)"></textarea>
          <button id="connect" type="button">Connect</button>
          <button id="disconnect" type="button" hidden>Disconnect</button>
        </div>
        <p id="notice"></p>
        <main>
          <div id="sidebar"><ul id="conversations"></ul></div>
          <section id="chat">
            <div id="chat-title">Pick a conversation</div>
            <div id="history"><button id="older" type="button" hidden>Load older messages</button>
              <ul id="messages"></ul></div>
            <div id="typing"></div>
            <div id="composer-row"><input id="composer" placeholder="Write a message" maxlength="10000" disabled>
              <button id="send" type="button" disabled>Send</button></div>
          </section>
        </main>
        <script src="/socket.io/socket.io.js"></script>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const page = { socket: null, token: null, me: null, conversations: new Map(), open: null,
                       messages: [], oldestId: null, otherReadAt: null, typingSent: 0, typingTimer: null,
                       typingShown: null };

        function notice(text) { $("notice").textContent = text || ""; }
        function setState(state, detail) {
          $("state").textContent = detail ? state + " (" + detail + ")" : state;
          $("state").className = state;
        }
        function el(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined) node.textContent = text;
          return node;
        }
        function name(user) { return user ? (user.firstName + " " + user.lastName).trim() : "?"; }
        function otherParty(c) { return c.client.id === page.me ? c.freelancer : c.client; }
        function time(iso) { return new Date(iso).toLocaleTimeString(); }

        async function api(path) {
          const response = await fetch(path, { headers: { Authorization: "Bearer " + page.token } });
          const body = await response.json();
          if (!response.ok) throw new Error(body.message || ("HTTP " + response.status));
          return body.data;
        }

        async function loadDemoUsers() {
          try {
            const response = await fetch("/demo/users");
            if (!response.ok) return;
            const users = (await response.json()).data;
            for (const user of users) {
              const option = el("option", null, user.name + " (" + user.role + ")");
              option.value = user.token;
              $("demo-users").appendChild(option);
            }
            $("demo").hidden = users.length === 0;
          } catch (_) { /* no demo login on this server */ }
        }

        function connect(token) {
          if (typeof io === "undefined") {
            notice("The Socket.IO client bundle is missing: run scripts/setup.sh (it fetches " +
                   ".tools/socket.io.min.js) or point SOCKET_IO_CLIENT_JS at socket.io.min.js, then reload.");
            return;
          }
          disconnect();
          page.token = token.trim().replace(/^Bearer\s+/i, "");
          notice("");
          setState("connecting");
          const socket = io(location.origin + "/messages", { auth: { token: page.token } });
          page.socket = socket;
          socket.on("connect", () => {
            setState("connected", socket.io.engine.transport.name);
            socket.io.engine.on("upgrade", (t) => setState("connected", t.name));
            $("disconnect").hidden = false;
            loadConversations().then(() => { if (page.open) openConversation(page.open, true); });
          });
          socket.on("connect_error", (error) => {
            setState("disconnected");
            notice("Connection refused: " + error.message);
          });
          socket.on("disconnect", (reason) => setState("disconnected", reason));
          socket.on("connected", (info) => { page.me = info.userId; $("me").textContent = info.userId; });
          socket.on("new_message", onNewMessage);
          socket.on("message_notification", onNotification);
          socket.on("user_typing", onTyping);
          socket.on("messages_read", onRead);
        }

        function disconnect() {
          if (page.socket) page.socket.disconnect();
          page.socket = null;
          $("disconnect").hidden = true;
          setState("disconnected");
        }

        async function loadConversations() {
          try {
            const list = await api("/api/messages/conversations?limit=100");
            page.conversations = new Map(list.conversations.map((c) => [c.id, c]));
            renderConversations();
          } catch (error) { notice("Could not load conversations: " + error.message); }
        }

        function renderConversations() {
          const list = $("conversations");
          list.replaceChildren();
          for (const c of page.conversations.values()) {
            const item = el("li");
            item.dataset.id = c.id;
            if (c.id === page.open) item.classList.add("open");
            const badge = el("span", "badge", c.unreadCount > 0 ? String(c.unreadCount) : "");
            badge.dataset.count = String(c.unreadCount);
            item.appendChild(badge);
            item.appendChild(el("div", "title", c.contractId + (c.milestoneId ? " / " + c.milestoneId : "")));
            item.appendChild(el("div", "preview", "with " + name(otherParty(c))));
            item.appendChild(el("div", "preview", c.lastMessage ? c.lastMessage.content : "No messages yet"));
            item.addEventListener("click", () => openConversation(c.id));
            list.appendChild(item);
          }
        }

        async function openConversation(id, reload) {
          if (page.open && page.open !== id) page.socket.emit("leave_conversation", { conversationId: page.open });
          page.open = id;
          page.otherReadAt = null;
          const c = page.conversations.get(id);
          $("chat-title").textContent = c ? c.contractId + (c.milestoneId ? " / " + c.milestoneId : "") +
            " — with " + name(otherParty(c)) : id;
          $("typing").textContent = "";
          page.socket.emit("join_conversation", { conversationId: id }, (ack) => {
            if (!ack.success) notice("Could not join: " + ack.error);
          });
          try {
            const list = await api("/api/messages/conversations/" + encodeURIComponent(id) + "/messages?limit=20");
            page.messages = list.messages;
            $("older").hidden = !list.pagination.hasMore;
            renderMessages(true);
          } catch (error) { notice("Could not load messages: " + error.message); }
          const writable = !c || c.isActive;
          $("composer").disabled = !writable;
          $("send").disabled = !writable;
          markRead();
          renderConversations();
        }

        async function loadOlder() {
          if (!page.open || page.messages.length === 0) return;
          const oldest = page.messages[0].id;
          const list = await api("/api/messages/conversations/" + encodeURIComponent(page.open) +
                                 "/messages?limit=20&before=" + encodeURIComponent(oldest));
          page.messages = list.messages.concat(page.messages);
          $("older").hidden = !list.pagination.hasMore;
          renderMessages(false);
        }

        function renderMessages(scroll) {
          const list = $("messages");
          list.replaceChildren();
          for (const m of page.messages) {
            const mine = m.sender.id === page.me;
            const item = el("li", mine ? "message mine" : "message");
            item.dataset.id = m.id;
            item.appendChild(el("div", "meta", name(m.sender) + " · " + time(m.sentAt)));
            item.appendChild(el("div", "content", m.content));
            if (mine && page.otherReadAt && m.sentAt <= page.otherReadAt) {
              item.appendChild(el("span", "receipt", "✓✓ Read"));
            }
            list.appendChild(item);
          }
          if (scroll) $("history").scrollTop = $("history").scrollHeight;
        }

        function markRead() {
          if (!page.open) return;
          page.socket.emit("mark_as_read", { conversationId: page.open }, (ack) => {
            const c = page.conversations.get(page.open);
            if (ack.success && c) { c.unreadCount = ack.unreadCount; renderConversations(); }
          });
        }

        function send() {
          const content = $("composer").value;
          if (!content.trim() || !page.open) return;
          const payload = { conversationId: page.open, content: content, clientMessageId: crypto.randomUUID() };
          page.socket.emit("send_message", payload, (ack) => {
            if (!ack.success) { notice("Not sent: " + ack.error + " (" + ack.code + ")"); return; }
            $("composer").value = "";
            addMessage(ack.message);
          });
          sendTyping(false);
        }

        function addMessage(message) {
          if (message.conversationId !== page.open) return;
          if (page.messages.some((m) => m.id === message.id)) return;
          page.messages.push(message);
          renderMessages(true);
        }

        function touchConversation(message, countUnread) {
          const c = page.conversations.get(message.conversationId);
          if (!c) { loadConversations(); return; }
          c.lastMessage = { content: message.content, sentAt: message.sentAt, senderId: message.sender.id };
          if (countUnread) c.unreadCount += 1;
          renderConversations();
        }

        function onNewMessage(message) {
          addMessage(message);
          touchConversation(message, false);
          if (message.conversationId === page.open && message.sender.id !== page.me) {
            $("typing").textContent = "";
            markRead();
          }
        }

        function onNotification(notification) {
          if (notification.conversationId === page.open) return;
          touchConversation(notification.message, true);
        }

        function onTyping(update) {
          if (update.conversationId !== page.open || update.userId === page.me) return;
          const c = page.conversations.get(page.open);
          const who = c ? name(otherParty(c)) : update.userId;
          $("typing").textContent = update.isTyping ? who + " is typing…" : "";
          clearTimeout(page.typingShown);
          if (update.isTyping) page.typingShown = setTimeout(() => { $("typing").textContent = ""; }, 6000);
        }

        function onRead(receipt) {
          if (receipt.conversationId !== page.open || receipt.userId === page.me) return;
          page.otherReadAt = receipt.readAt;
          renderMessages(false);
        }

        function sendTyping(isTyping) {
          if (!page.open || !page.socket) return;
          clearTimeout(page.typingTimer);
          if (isTyping) {
            const now = Date.now();
            if (now - page.typingSent > 2000) {
              page.typingSent = now;
              page.socket.emit("typing", { conversationId: page.open, isTyping: true });
            }
            page.typingTimer = setTimeout(() => sendTyping(false), 3000);
          } else if (page.typingSent) {
            page.typingSent = 0;
            page.socket.emit("typing", { conversationId: page.open, isTyping: false });
          }
        }

        $("connect").addEventListener("click", () => connect($("token").value));
        $("demo-login").addEventListener("click", () => { $("token").value = $("demo-users").value; connect($("token").value); });
        $("disconnect").addEventListener("click", disconnect);
        $("older").addEventListener("click", () => loadOlder().catch((e) => notice(e.message)));
        $("send").addEventListener("click", send);
        $("composer").addEventListener("keydown", (e) => { if (e.key === "Enter") send(); });
        $("composer").addEventListener("input", () => sendTyping(true));
        if (typeof io === "undefined") {
          notice("The Socket.IO client bundle is missing: run scripts/setup.sh (it fetches .tools/socket.io.min.js) " +
                 "or point SOCKET_IO_CLIENT_JS at socket.io.min.js, then reload.");
        }
        loadDemoUsers();
        </script>
        </body>
        </html>
        """#
}
