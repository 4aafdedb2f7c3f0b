// Echo-with-ack benchmark over WebSocket with the official socket.io-client (Node 20, --experimental-websocket).
// Each of CLIENTS connections keeps one `echo` in flight for DURATION seconds; prints throughput and ack latency
// percentiles. Usage: node --experimental-websocket socketio-echo-ack.js <socket.io.min.js> <baseUrl> [clients]
// [seconds] [payloadBytes]
const [bundle, baseUrl, clientsArg = "50", secondsArg = "10", payloadArg = "100"] = process.argv.slice(2);
const io = require(bundle);
const clients = Number(clientsArg), seconds = Number(secondsArg);
const payload = { text: "x".repeat(Number(payloadArg)) };

function connect() {
  return new Promise((resolve, reject) => {
    const socket = io(baseUrl + "/test", { transports: ["websocket"], auth: { token: "secret" }, forceNew: true, reconnection: false });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function main() {
  const connectStart = process.hrtime.bigint();
  const sockets = await Promise.all(Array.from({ length: clients }, connect));
  const connectMs = Number(process.hrtime.bigint() - connectStart) / 1e6;
  const latencies = [];
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(sockets.map(async (socket) => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      await socket.emitWithAck("echo", payload);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
  }));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  console.log(JSON.stringify({
    clients, seconds: Number(elapsed.toFixed(2)), acks: latencies.length,
    acksPerSecond: Math.round(latencies.length / elapsed),
    latencyMicros: { p50: Math.round(pct(0.5)), p99: Math.round(pct(0.99)), p999: Math.round(pct(0.999)), max: Math.round(latencies[latencies.length - 1]) },
    connectAllMs: Math.round(connectMs),
  }));
  sockets.forEach((socket) => socket.close());
  process.exit(0);
}
main().catch((error) => { console.error(error); process.exit(1); });
