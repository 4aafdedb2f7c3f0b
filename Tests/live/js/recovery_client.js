// Connection state recovery with the official socket.io-client under Node (WebSocket transport), driven by the
// Python tests step by step: it reads commands as JSON lines on stdin and answers each with one JSON line.
//   {"cmd": "connect", "name": "ada", "url": ..., "token": ...}        → {"id", "pid_set"}
//   {"cmd": "join", "name": "ada", "conversationId": ...}               → ack
//   {"cmd": "drop", "name": "ada"}  (socket.io.engine.close(): a network loss)
//   {"cmd": "wait_connect", "name": "ada", "timeout": ms}               → {"recovered", "id", "reason"}
//   {"cmd": "events", "name": "ada"}                                    → the log of what the socket saw, in order
//   {"cmd": "close", "name": "ada"}
const io = require(process.argv[2]);
const readline = require("readline");

const sockets = {};

function open(name, url, token) {
  const log = [];
  const socket = io(url + "/messages", {
    transports: ["websocket"], auth: { token }, reconnectionDelay: 100, reconnectionDelayMax: 500,
    randomizationFactor: 0,
  });
  const entry = { socket, log, connects: 0 };
  socket.on("connect", () => {
    entry.connects += 1;
    log.push({ kind: "connect", recovered: socket.recovered, id: socket.id });
  });
  socket.on("disconnect", (reason) => log.push({ kind: "disconnect", reason }));
  socket.on("connect_error", (error) => log.push({ kind: "connect_error", message: error.message }));
  for (const event of ["new_message", "message_notification", "messages_read", "user_typing", "connected"]) {
    socket.on(event, (...args) => log.push({
      kind: "event", event, id: args[0] && (args[0].id || (args[0].message && args[0].message.id)) || null,
      offset: args.length > 1 ? args[args.length - 1] : null,
    }));
  }
  sockets[name] = entry;
  return entry;
}

function waitFor(predicate, timeout) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const value = predicate();
      if (value) return resolve(value);
      if (Date.now() - started > timeout) return reject(new Error("timeout"));
      setTimeout(check, 20);
    };
    check();
  });
}

async function handle(command) {
  const entry = sockets[command.name];
  switch (command.cmd) {
    case "connect": {
      const opened = open(command.name, command.url, command.token);
      await waitFor(() => opened.connects > 0, command.timeout || 10000);
      return { id: opened.socket.id };
    }
    case "join":
      return await entry.socket.timeout(5000).emitWithAck("join_conversation", { conversationId: command.conversationId });
    case "drop": {
      const before = entry.connects;
      entry.socket.io.engine.close();
      entry.expected = before + 1;
      return { dropped: true };
    }
    case "expect_reconnect":
      entry.expected = entry.connects + 1;
      return { waiting: true };
    case "wait_connect": {
      await waitFor(() => entry.connects >= (entry.expected || 1), command.timeout || 15000);
      const last = entry.log.filter((e) => e.kind === "connect").pop();
      return { recovered: last.recovered, id: last.id, active: entry.socket.active };
    }
    case "events":
      return entry.log;
    case "close":
      entry.socket.close();
      return { closed: true };
    default:
      throw new Error("unknown command " + command.cmd);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", async (line) => {
  let answer;
  try {
    answer = { ok: true, value: await handle(JSON.parse(line)) };
  } catch (error) {
    answer = { ok: false, error: String(error && error.stack || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
lines.on("close", () => process.exit(0));
