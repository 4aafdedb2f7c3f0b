-- History data for `loadgen history` (psql -v conversations=N -v per=M): N contract conversations of M messages
-- each, one minute apart, with time-ordered (version 7) ids as the server mints them. 50 clients hist-0..49 hold
-- N/50 conversations each; ten freelancers hist-50..59 hold N/10 each (100 of the 1,000 by default: the search
-- scenario's users). Each message is ten words drawn from a vocabulary of 8,000 made-up words with a skewed
-- (log-uniform) frequency, as in a language: a few words are in most messages, most words in few. Run once on an
-- empty bench database; one transaction.
BEGIN;
INSERT INTO users (id, first_name, last_name)
SELECT 'hist-' || u, 'History', 'User ' || u FROM generate_series(0, 69) AS u
ON CONFLICT (id) DO NOTHING;

INSERT INTO contracts (id, client_id, freelancer_id, title)
SELECT 'hist-k' || i, 'hist-' || (i % 50), 'hist-' || (50 + i % 10), 'History contract ' || i
FROM generate_series(0, :conversations - 1) AS i;

INSERT INTO conversations (id, contract_id)
SELECT ('00000000-0000-7000-9000-' || lpad(i::text, 12, '0'))::uuid, 'hist-k' || i
FROM generate_series(0, :conversations - 1) AS i;

INSERT INTO conversation_participants (conversation_id, user_id, role)
SELECT c.id, p.user_id, p.role
FROM conversations c JOIN contracts k ON k.id = c.contract_id,
    LATERAL (VALUES (k.client_id, 'client'), (k.freelancer_id, 'freelancer')) AS p (user_id, role)
WHERE k.id LIKE 'hist-k%';

-- The vocabulary: three syllables of twenty (word 0 is the most frequent).
CREATE TEMPORARY TABLE vocabulary AS
WITH syllable (s, i) AS (
    SELECT * FROM unnest(ARRAY['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pe', 'da', 'gu', 'zen', 'bar',
                               'lin', 'mor', 'tel', 'qua', 'fi', 'sor', 'wex']) WITH ORDINALITY
)
SELECT ((a.i - 1) * 400 + (b.i - 1) * 20 + (c.i - 1))::int AS position, a.s || b.s || c.s AS word
FROM syllable a, syllable b, syllable c;
CREATE UNIQUE INDEX ON vocabulary (position);
ANALYZE vocabulary;

-- A version-7 uuid: the millisecond timestamp in the first 48 bits of a random (version 4) uuid, version set to 7.
INSERT INTO messages (id, conversation_id, sender_id, content, message_type, sent_at)
SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                      PLACING substring(int8send((extract(epoch FROM m.sent_at) * 1000)::bigint) FROM 3)
                                      FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid,
       c.id,
       CASE WHEN n % 2 = 0 THEN k.client_id ELSE k.freelancer_id END,
       (SELECT string_agg(v.word, ' ' ORDER BY pick.w)
        -- The draw sits in a subquery's select list, so it runs once a word (a volatile function there keeps the
        -- subquery from being merged into the join); the reference to n makes each message draw its own words.
        FROM (SELECT w, floor(exp(random() * ln(8000)))::int - 1 AS position
              FROM generate_series(1, 10) AS w WHERE w <= 10 + 0 * n) AS pick
        JOIN vocabulary v ON v.position = pick.position),
       'text',
       m.sent_at
FROM conversations c JOIN contracts k ON k.id = c.contract_id,
    generate_series(1, :per) AS n,
    LATERAL (SELECT now() - (:per - n) * interval '1 minute' + (random() * 1000) * interval '1 millisecond') AS m (sent_at)
WHERE k.id LIKE 'hist-k%';

UPDATE conversations c
SET last_message_id = last.id, last_message_at = last.sent_at, last_message_content = last.content,
    last_message_sender = last.sender_id, message_count = :per
FROM (SELECT DISTINCT ON (m.conversation_id) m.conversation_id, m.id, m.sent_at, m.content, m.sender_id
      FROM messages m JOIN conversations mc ON mc.id = m.conversation_id
      WHERE mc.contract_id LIKE 'hist-k%'
      ORDER BY m.conversation_id, m.id DESC) AS last
WHERE last.conversation_id = c.id;

UPDATE conversation_participants p SET last_activity_at = c.last_message_at, unread_count = 3
FROM conversations c WHERE c.id = p.conversation_id AND c.contract_id LIKE 'hist-k%';

-- The search vectors, at once (the server's indexer would write them in batches after the commit).
SELECT messaging_search_index_pending(2147483647);

COMMIT;
VACUUM ANALYZE;
