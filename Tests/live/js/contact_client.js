// The official socket.io-client under Node sends a message holding a phone number and an email address: the
// sender's ack says what was hidden, and the other participant only ever receives the masked text.
// Usage: node --experimental-websocket contact_client.js <socket.io.min.js> <url> <sender token> <receiver token>
//        <conversation> <transport: websocket (the browser bundle polls only in a browser)>
// Prints one JSON object: {check: true | "what went wrong"}.
const [bundle, url, senderToken, receiverToken, conversationId, transport] = process.argv.slice(2);
const io = require(bundle);

const results = {};
const check = (name, ok, detail) => { results[name] = ok ? true : String(JSON.stringify(detail)); };
const withTimeout = (promise, ms, what) => Promise.race([
  promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms)),
]);

function connect(token) {
  const socket = io(url + "/messages", { transports: [transport], auth: { token }, forceNew: true });
  return withTimeout(new Promise((resolve) => socket.once("connect", () => resolve(socket))), 10000, "connect");
}

(async () => {
  let sender, receiver;
  try {
    [sender, receiver] = await Promise.all([connect(senderToken), connect(receiverToken)]);
    for (const socket of [sender, receiver]) await socket.timeout(5000).emitWithAck("join_conversation", { conversationId });
    const delivered = new Promise((resolve) => receiver.once("new_message", resolve));
    const ack = await sender.timeout(5000).emitWithAck("send_message", {
      conversationId, content: "ping me at +1 555 123 4567 or grace.h@example.org", clientMessageId: "contact-1" });
    const masked = "ping me at [phone hidden] or [email hidden]";
    check("ackMasked", ack.success === true && ack.message.content === masked, ack);
    check("ackTells", JSON.stringify(ack.contactDetailsHidden) === JSON.stringify(["email", "phone"]), ack);
    const message = await withTimeout(delivered, 5000, "new_message");
    check("receiverSeesMask", message.content === masked && !JSON.stringify(message).includes("555"), message);
    // A retry with the same clientMessageId returns the stored (masked) message.
    const again = await sender.timeout(5000).emitWithAck("send_message", {
      conversationId, content: "ping me at +1 555 123 4567 or grace.h@example.org", clientMessageId: "contact-1" });
    check("retryReturnsStored", again.success === true && again.message.id === ack.message.id &&
      again.message.content === masked, again);
  } catch (error) {
    results.error = String(error);
  } finally {
    for (const socket of [sender, receiver]) socket?.disconnect();
  }
  console.log(JSON.stringify(results));
  process.exit(0);
})();
