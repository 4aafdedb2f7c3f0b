// The official socket.io-client under Node edits, reacts to and deletes a message, one participant losing the
// network (engine.close()) while the other edits: the missed message_updated comes back with the recovered session.
// Usage: node --experimental-websocket lifecycle_client.js <socket.io.min.js> <url> <ada token> <grace token>
//        <conversation> <ada's message id> <transport: websocket (the browser bundle polls only in a browser)>
// Prints one JSON object: {check: true | "what went wrong"}.
const [bundle, url, adaToken, graceToken, conversationId, messageId, transport] = process.argv.slice(2);
const io = require(bundle);

const results = {};
const check = (name, ok, detail) => { results[name] = ok ? true : String(JSON.stringify(detail)); };
const withTimeout = (promise, ms, what) => Promise.race([
  promise, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout: " + what)), ms)),
]);
// Key order is the server's (sorted); compare values, not texts.
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const sorted = (v) => Array.isArray(v) ? v.map(sorted) : v && typeof v === "object"
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
const next = (socket, name) => new Promise((resolve) => socket.once(name, resolve));

function connect(token) {
  const socket = io(url + "/messages", { transports: [transport], auth: { token }, reconnectionDelay: 100, forceNew: true });
  return withTimeout(new Promise((resolve) => socket.once("connect", () => resolve(socket))), 10000, "connect");
}

(async () => {
  let ada, grace;
  try {
    [ada, grace] = await Promise.all([connect(adaToken), connect(graceToken)]);
    for (const socket of [ada, grace]) await socket.timeout(5000).emitWithAck("join_conversation", { conversationId });

    let updated = next(grace, "message_updated");
    const edit = await ada.timeout(5000).emitWithAck("edit_message", { messageId, content: "edited once" });
    check("editAck", edit.success === true && edit.message.content === "edited once" && edit.message.editedAt, edit);
    const seen = await withTimeout(updated, 5000, "message_updated");
    check("updatedEvent", seen.id === messageId && seen.content === "edited once", seen);

    const reacted = next(ada, "message_reactions");
    const react = await grace.timeout(5000).emitWithAck("react", { messageId, emoji: "👍", on: true });
    check("reactAck", react.success === true && same(react.reactions, [{ emoji: "👍", count: 1, mine: true }]), react);
    const reaction = await withTimeout(reacted, 5000, "message_reactions");
    check("reactionsEventAsAdaSeesIt", reaction.userId !== undefined && reaction.on === true &&
      same(reaction.reactions, [{ emoji: "👍", count: 1, mine: false }]), reaction);

    // Grace's network drops; Ada edits while Grace is away.
    const back = next(grace, "connect");
    updated = next(grace, "message_updated");
    grace.io.engine.close();
    const again = await ada.timeout(5000).emitWithAck("edit_message", { messageId, content: "edited while away" });
    check("editWhileAwayAck", again.success === true, again);
    await withTimeout(back, 10000, "reconnect");
    check("recovered", grace.recovered === true, grace.recovered);
    const missed = await withTimeout(updated, 5000, "missed message_updated");
    check("missedUpdateDelivered", missed.content === "edited while away" &&
      same(missed.reactions, [{ emoji: "👍", count: 1, mine: true }]), missed);

    const deleted = next(grace, "message_deleted");
    const removal = await ada.timeout(5000).emitWithAck("delete_message", { messageId, conversationId });
    check("deleteAck", removal.success === true && removal.message.deletedAt && removal.message.content === "", removal);
    const tombstone = await withTimeout(deleted, 5000, "message_deleted");
    check("deletedEvent", tombstone.id === messageId && tombstone.content === "" && tombstone.reactions.length === 0,
      tombstone);
    const refused = await ada.timeout(5000).emitWithAck("edit_message", { messageId, content: "after delete" });
    check("editAfterDeleteRefused", refused.success === false && refused.code === "CONFLICT", refused);
  } catch (error) {
    results.error = String(error && error.stack || error);
  }
  process.stdout.write(JSON.stringify(results) + "\n");
  for (const socket of [ada, grace]) if (socket) socket.close();
  process.exit(0);
})();
