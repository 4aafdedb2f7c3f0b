-- The statement one socket `send_message` runs, for pgbench (-D pairs=N, data from sql/seed-pairs.sql): the insert
-- with its contract check and its conversation and unread-count updates, returning the sender's name, in its own
-- implicit transaction, as in the server when a send is written alone. (The sender's access check comes from the
-- server's memory once it has seen the conversation: ConversationMembers.) Mirrors PreparedStatements.InsertMessage
-- in Sources/Handlers/Store; keep them in step.
-- (Under load the server writes concurrent sends together with PreparedStatements.InsertMessages.)
-- The message id is a version-7 uuid made from the clock, as the server mints it.
\set pair random(0, :pairs - 1)
\set side random(0, 1)
\set sequence random(1, 1000000000000)
WITH locked AS (
    SELECT c.id FROM conversations c JOIN contracts k ON k.id = c.contract_id
    WHERE c.id = ('00000000-0000-7000-8000-' || lpad(:pair::text, 12, '0'))::uuid
      AND (CASE WHEN c.kind = 'dispute' THEN c.closed_at IS NULL ELSE k.status = 'active' END)
      AND EXISTS (SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id
                  AND p.user_id = ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text))
    FOR UPDATE OF c
), inserted AS (
    INSERT INTO messages (id, conversation_id, sender_id, content, message_type, attachments, client_message_id, sent_at)
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
               PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
               FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid, locked.id, ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text), 'pgbench message of about one hundred bytes, the same size as the load generator sends .............', 'text', '[]'::jsonb, ('pgbench-' || :sequence::bigint), now()
    FROM locked
    ON CONFLICT (conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
    RETURNING id, sent_at
), conversation AS (
    UPDATE conversations c
    SET last_message_id = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_id ELSE inserted.id END,
        last_message_at = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_at ELSE inserted.sent_at END,
        last_message_content = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_content ELSE 'pgbench message of about one hundred bytes, the same size as the load generator sends .............' END,
        last_message_sender = CASE WHEN c.last_message_id >= inserted.id THEN c.last_message_sender ELSE ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text) END,
        message_count = c.message_count + 1
    FROM inserted WHERE c.id = ('00000000-0000-7000-8000-' || lpad(:pair::text, 12, '0'))::uuid
), participants AS (
    UPDATE conversation_participants p
    SET unread_count = p.unread_count + CASE WHEN p.user_id = ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text) THEN 0 ELSE 1 END,
        last_activity_at = greatest(p.last_activity_at, inserted.sent_at),
        archived = CASE WHEN p.user_id = ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text) THEN p.archived ELSE false END
    FROM inserted WHERE p.conversation_id = ('00000000-0000-7000-8000-' || lpad(:pair::text, 12, '0'))::uuid
)
SELECT inserted.id, inserted.sent_at, u.first_name, u.last_name, u.avatar FROM inserted JOIN users u ON u.id = ((CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text)
;
