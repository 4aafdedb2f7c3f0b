-- The statements one socket `send_message` runs, for pgbench (-D pairs=N, data from sql/seed-pairs.sql): the
-- access check, and the insert with its conversation and unread-count updates that returns the sender's name,
-- here for a batch of one message (the server puts concurrent sends into one such statement). Each runs in its own
-- implicit transaction, as in the server. Mirrors PreparedStatements.Access and PreparedStatements.InsertMessages
-- in Sources/Handlers/Store; keep them in step.
\set pair random(0, :pairs - 1)
\set side random(0, 1)
\set sequence random(1, 1000000000000)
SELECT c.contract_id, c.milestone_id, k.status = 'active',
       array(SELECT p.user_id FROM conversation_participants p WHERE p.conversation_id = c.id ORDER BY p.role)
FROM conversations c JOIN contracts k ON k.id = c.contract_id
WHERE c.id = ('00000000-0000-7000-8000-' || lpad(:pair::text, 12, '0'))::uuid
  AND EXISTS (SELECT 1 FROM conversation_participants p
              WHERE p.conversation_id = c.id AND p.user_id = (CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text);
WITH input AS (
    SELECT * FROM unnest(ARRAY[encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid],
                         ARRAY[('00000000-0000-7000-8000-' || lpad(:pair::text, 12, '0'))::uuid], ARRAY[(CASE :side::int WHEN 0 THEN 'bench-c' ELSE 'bench-f' END) || :pair::text],
                         ARRAY['pgbench message of about one hundred bytes, the same size as the load generator sends .............'],
                         ARRAY['text'], ARRAY['[]'], ARRAY['pgbench-' || :sequence::bigint])
        AS t (id, conversation_id, sender_id, content, message_type, attachments, client_message_id)
), locked AS (
    SELECT id FROM conversations WHERE id IN (SELECT conversation_id FROM input) ORDER BY id FOR UPDATE
), inserted AS (
    INSERT INTO messages (id, conversation_id, sender_id, content, message_type, attachments, client_message_id, sent_at)
    SELECT i.id, i.conversation_id, i.sender_id, i.content, i.message_type, i.attachments::jsonb,
           NULLIF(i.client_message_id, ''), now()
    FROM input i JOIN locked ON locked.id = i.conversation_id
    ORDER BY i.id
    ON CONFLICT (conversation_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
    RETURNING id, conversation_id, sender_id, content, sent_at
), latest AS (
    SELECT DISTINCT ON (conversation_id) conversation_id, id, sent_at, content, sender_id,
           count(*) OVER (PARTITION BY conversation_id) AS added
    FROM inserted ORDER BY conversation_id, id DESC
), conversation AS (
    UPDATE conversations c
    SET last_message_id = CASE WHEN c.last_message_id >= latest.id THEN c.last_message_id ELSE latest.id END,
        last_message_at = CASE WHEN c.last_message_id >= latest.id THEN c.last_message_at ELSE latest.sent_at END,
        last_message_content = CASE WHEN c.last_message_id >= latest.id
                                    THEN c.last_message_content ELSE latest.content END,
        last_message_sender = CASE WHEN c.last_message_id >= latest.id
                                   THEN c.last_message_sender ELSE latest.sender_id END,
        message_count = c.message_count + latest.added
    FROM latest
    WHERE c.id = latest.conversation_id
), participants AS (
    UPDATE conversation_participants p
    SET unread_count = p.unread_count + s.from_others, last_activity_at = s.last_at,
        archived = p.archived AND s.from_others = 0
    FROM (SELECT m.conversation_id, m.user_id, max(i.sent_at) AS last_at,
                 count(*) FILTER (WHERE i.sender_id <> m.user_id) AS from_others
          FROM inserted i JOIN conversation_participants m ON m.conversation_id = i.conversation_id
          GROUP BY m.conversation_id, m.user_id) AS s
    WHERE p.conversation_id = s.conversation_id AND p.user_id = s.user_id
)
SELECT inserted.id, inserted.sent_at, u.first_name, u.last_name, u.avatar
FROM inserted JOIN users u ON u.id = inserted.sender_id;
