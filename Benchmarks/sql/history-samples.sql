-- Lines 'conversationId userId messageId' for `loadgen history`: random conversations, a participant of each
-- and a message somewhere in its history to page back from.
SELECT c.id, p.user_id,
       (SELECT m.id FROM messages m WHERE m.conversation_id = c.id
        ORDER BY m.id OFFSET floor(random() * (c.message_count - 100))::int + 100 LIMIT 1)
FROM conversations c JOIN conversation_participants p ON p.conversation_id = c.id
WHERE c.contract_id LIKE 'hist-k%'
ORDER BY random()
LIMIT 1000;
