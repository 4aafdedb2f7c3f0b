-- Bench users in pairs, for `loadgen sends` and pgbench (psql -v pairs=N). Pair i is the contract bench-k<i>
-- between bench-c<i> (client) and bench-f<i> (freelancer); its conversation id ends in i (loadgen's BenchData).
-- Idempotent.
INSERT INTO users (id, first_name, last_name)
SELECT 'bench-' || side || i, 'Bench', side || i
FROM generate_series(0, :pairs - 1) AS i, (VALUES ('c'), ('f')) AS sides (side)
ON CONFLICT (id) DO NOTHING;

INSERT INTO contracts (id, client_id, freelancer_id, title)
SELECT 'bench-k' || i, 'bench-c' || i, 'bench-f' || i, 'Bench contract ' || i
FROM generate_series(0, :pairs - 1) AS i
ON CONFLICT (id) DO NOTHING;

INSERT INTO conversations (id, contract_id)
SELECT ('00000000-0000-7000-8000-' || lpad(i::text, 12, '0'))::uuid, 'bench-k' || i
FROM generate_series(0, :pairs - 1) AS i
ON CONFLICT DO NOTHING;

INSERT INTO conversation_participants (conversation_id, user_id, role)
SELECT ('00000000-0000-7000-8000-' || lpad(i::text, 12, '0'))::uuid, 'bench-' || side || i, role
FROM generate_series(0, :pairs - 1) AS i, (VALUES ('c', 'client'), ('f', 'freelancer')) AS sides (side, role)
ON CONFLICT DO NOTHING;
