// One scenario for the official socket.io-client 4.8.1, run both under Node and in Chromium.
// It reports each check as {name: true|string}; the Python tests assert that every check is true.
async function runScenario(io, baseUrl, options) {
  const results = {};
  const check = (name, ok, detail) => { results[name] = ok ? true : String(detail); };
  const withTimeout = (promise, ms, what) => Promise.race([
    promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms)),
  ]);
  const connect = (auth) => new Promise((resolve, reject) => {
    const socket = io(baseUrl + "/test", { ...options, auth, reconnection: false, forceNew: true });
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", (error) => reject(Object.assign(error, { socket })));
  });

  try {
    // Rejected auth: connect_error carries the server's message and data.
    try {
      await withTimeout(connect({ token: "wrong" }), 5000, "rejected connect");
      check("rejectedAuth", false, "connected with a wrong token");
    } catch (error) {
      check("rejectedAuth", error.message === "Not authorized" && error.data && error.data.code === "UNAUTHORIZED",
        JSON.stringify({ message: error.message, data: error.data }));
      if (error.socket) error.socket.close();
    }

    const welcome = [];
    const alice = await withTimeout(connect({ token: "secret" }), 5000, "connect alice");
    const bob = await withTimeout(connect({ token: "secret" }), 5000, "connect bob");
    alice.on("welcome", (id) => welcome.push(id));
    check("socketIdDiffersFromEngineId", alice.id !== alice.io.engine.id, alice.id);

    // Events emitted right after connect travel over whichever transport is active (polling first by default).
    const echoed = await withTimeout(alice.timeout(5000).emitWithAck("echo", { text: "héllo", n: [1, 2.5, null] }), 6000, "echo");
    check("echoAck", JSON.stringify(echoed) === JSON.stringify({ text: "héllo", n: [1, 2.5, null] }), JSON.stringify(echoed));

    const joined = await Promise.all([alice.emitWithAck("join", "r1"), bob.emitWithAck("join", "r1")]);
    check("joinAck", joined[0] === true && joined[1] === true, JSON.stringify(joined));
    const received = new Promise((resolve) => bob.once("broadcast", (payload) => resolve(payload)));
    let aliceGotOwn = false;
    alice.on("broadcast", () => { aliceGotOwn = true; });
    await alice.emitWithAck("broadcast", "r1", { from: "alice" });
    const payload = await withTimeout(received, 5000, "broadcast");
    check("broadcastToRoom", payload && payload.from === "alice", JSON.stringify(payload));

    bob.on("question", (value, callback) => callback({ answer: value * 2 }));
    const answer = await withTimeout(bob.emitWithAck("ask", 21), 6000, "server ack");
    check("serverEmitWithAck", answer && answer.answer === 42, JSON.stringify(answer));

    if (options.expectUpgrade) {
      const upgraded = alice.io.engine.transport.name === "websocket" ? true
        : await withTimeout(new Promise((resolve) => alice.io.engine.once("upgrade", () => resolve(true))), 5000, "upgrade");
      check("upgradedToWebsocket", upgraded && alice.io.engine.transport.name === "websocket", alice.io.engine.transport.name);
      const after = await withTimeout(alice.emitWithAck("echo", "after upgrade"), 5000, "echo after upgrade");
      check("echoAfterUpgrade", after === "after upgrade", after);
    } else {
      check("websocketTransport", alice.io.engine.transport.name === "websocket", alice.io.engine.transport.name);
    }

    const reason = new Promise((resolve) => bob.once("disconnect", resolve));
    bob.emit("bye");
    check("serverDisconnect", (await withTimeout(reason, 5000, "disconnect")) === "io server disconnect", "");
    check("welcomeEvent", welcome.length <= 1, JSON.stringify(welcome));
    alice.close();
  } catch (error) {
    results.error = String(error && error.stack || error);
  }
  return results;
}

if (typeof module !== "undefined") module.exports = { runScenario };
