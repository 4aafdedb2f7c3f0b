-- Lines 'userId word' for `loadgen history --search-samples`: the ten freelancers of seed-history.sql (each in 100
-- conversations) and one-word queries of middling frequency (vocabulary ranks 100 to 2,000: each in about 0.05 %
-- to 1 % of the messages, tens to hundreds of them in a user's conversations).
SELECT 'hist-' || (50 + floor(random() * 10)::int),
       s1.s || s2.s || s3.s
FROM generate_series(1, 1000) AS g,
     LATERAL (SELECT 100 + floor(random() * 1900)::int + 0 * g AS position) r,
     LATERAL (SELECT (ARRAY['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pe', 'da', 'gu', 'zen', 'bar', 'lin',
                            'mor', 'tel', 'qua', 'fi', 'sor', 'wex'])[r.position / 400 + 1] AS s) s1,
     LATERAL (SELECT (ARRAY['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pe', 'da', 'gu', 'zen', 'bar', 'lin',
                            'mor', 'tel', 'qua', 'fi', 'sor', 'wex'])[r.position / 20 % 20 + 1] AS s) s2,
     LATERAL (SELECT (ARRAY['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'shi', 'pe', 'da', 'gu', 'zen', 'bar', 'lin',
                            'mor', 'tel', 'qua', 'fi', 'sor', 'wex'])[r.position % 20 + 1] AS s) s3;
