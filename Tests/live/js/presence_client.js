// The official socket.io-client under Node watches presence: a freelancer's socket on one node hears the client
// come online on another node and go offline when the client's socket closes.
// Usage: node --experimental-websocket presence_client.js <socket.io.min.js> <watcher url> <watcher token>
//        <url of the other node> <client token> <client id>
// Prints one JSON object: {check: true | "what went wrong"}.
const [bundle, watcherUrl, watcherToken, otherUrl, clientToken, clientId] = process.argv.slice(2);
const io = require(bundle);

const results = {};
const check = (name, ok, detail) => { results[name] = ok ? true : String(JSON.stringify(detail)); };
const withTimeout = (promise, ms, what) => Promise.race([
  promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms)),
]);

function connect(url, token) {
  const socket = io(url + "/messages", { transports: ["websocket"], auth: { token }, forceNew: true });
  return withTimeout(new Promise((resolve) => socket.once("connect", () => resolve(socket))), 10000, "connect");
}

(async () => {
  let watcher, client;
  try {
    watcher = await connect(watcherUrl, watcherToken);
    const changes = [];
    let wake = () => {};
    watcher.on("presence", (update) => { if (update.userId === clientId) { changes.push(update); wake(); } });
    const nextChange = (count) => withTimeout(new Promise((resolve) => {
      wake = () => { if (changes.length >= count) resolve(); };
      wake();
    }), 10000, "presence " + count);

    client = await connect(otherUrl, clientToken);
    await nextChange(1);
    check("online", changes[0].online === true && typeof changes[0].lastSeenAt === "string", changes);
    client.disconnect();
    await nextChange(2);
    check("offline", changes[1].online === false && Date.parse(changes[1].lastSeenAt) >= Date.parse(changes[0].lastSeenAt),
      changes);
    check("onlyTwo", changes.length === 2, changes);
  } catch (error) {
    results.error = String(error);
  } finally {
    for (const socket of [watcher, client]) socket?.disconnect();
  }
  console.log(JSON.stringify(results));
  process.exit(0);
})();
