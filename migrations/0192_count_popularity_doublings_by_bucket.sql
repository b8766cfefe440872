-- floor(log2(1 + popularity)) by a numeric log cost ~12 us a call: a search that reads 500
-- documents by the tsvector index (a two-word query of common words) spent 6 ms of its 10 in it.
-- The doubling is the number of powers of two from 2 up to 1 + popularity, which width_bucket
-- finds by a binary search over those powers (a constant array): exact at every power of two,
-- with no float rounding, and for popularity up to its maximum (the numeric version overflowed
-- int4 there). Stored doublings do not change: it returns the same value for every integer.
CREATE OR REPLACE FUNCTION search_popularity_doublings(popularity integer) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT width_bucket(1 + greatest(popularity, 0)::bigint,
                        ARRAY[2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048,
                              4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4194304,
                              8388608, 16777216, 33554432, 67108864, 134217728, 268435456, 536870912, 1073741824, 2147483648]::bigint[])::smallint
$$;
