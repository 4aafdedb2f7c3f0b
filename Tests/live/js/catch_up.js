// The TypeScript stubs' catch-up helper (compiled by the test) with the official client under Node: connect, join,
// lose the network while messages are sent, and after the reconnect call catchUpAfterReconnect.
// Usage: node --experimental-websocket catch_up.js <socket.io.min.js> <compiled stubs dir> <url> <token> <conversation>
//        then one line on stdin once the server sent the missed messages.
const [bundle, stubs, url, token, conversationId] = process.argv.slice(2);
const io = require(bundle);
const { ApiClient } = require(stubs + "/client.js");
const { catchUpAfterReconnect } = require(stubs + "/reconnect.js");
const readline = require("readline");

const socket = io(url + "/messages", { transports: ["websocket"], auth: { token }, reconnectionDelay: 100 });
const api = new ApiClient({ baseUrl: url, token: () => token });
const live = [];
let lastMessageId;
let connects = 0;
socket.on("new_message", (message) => { live.push(message.id); lastMessageId = message.id; });
socket.on("connect", async () => {
  connects += 1;
  if (connects === 1) {
    await socket.timeout(5000).emitWithAck("join_conversation", { conversationId });
    process.stdout.write(JSON.stringify({ ready: true }) + "\n");
    return;
  }
  const fetched = await catchUpAfterReconnect(socket, api, [{ conversationId, lastMessageId }]);
  process.stdout.write(JSON.stringify({ recovered: socket.recovered === true, live, fetched: (fetched.get(conversationId) || [])
    .map((m) => m.id) }) + "\n");
  // The rooms are back: one more live message proves it.
  setTimeout(() => { process.stdout.write(JSON.stringify({ live }) + "\n"); socket.close(); }, 1500);
});
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => { if (line === "drop") socket.io.engine.close(); });
lines.on("close", () => {});
