// Runs the scenario with the official client under Node 20 (needs --experimental-websocket).
// Usage: node --experimental-websocket node_client.js <socket.io.min.js> <baseUrl>
const [bundle, baseUrl] = process.argv.slice(2);
const io = require(bundle);
const { runScenario } = require("./scenario.js");
runScenario(io, baseUrl, { transports: ["websocket"] }).then((results) => {
  console.log(JSON.stringify(results));
  process.exit(0);
});
