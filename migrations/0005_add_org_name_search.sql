-- Directory name search that understands Thai. search_name holds civic.thai.normalise() of
-- "name_th name_en" (written by civic.orgs.store; queries are normalised the same way), so
-- split or misordered marks, Thai digits and case do not stop a match. search_fold drops tone
-- marks, karan and maitaikhu and folds letters people often mix up (ใ/ไ, ศ/ษ/ส, ณ/น, ฬ/ล):
-- "เชียงไหม่" then finds "เชียงใหม่". pg_trgm treats Thai marks as word breaks, so folding them
-- away also gives longer words for word_similarity. Both columns have GIN trigram indexes,
-- which serve LIKE '%...%' and the word-similarity operator <%.
CREATE FUNCTION org_name_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN translate(t, 'ใศษณฬ่้๊๋์็', 'ไสสนล');

ALTER TABLE organisations ADD COLUMN search_name text, ADD COLUMN search_fold text;

-- Rows written without search_name (raw SQL, older code) still get a usable one.
CREATE FUNCTION organisations_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search_name := coalesce(NEW.search_name, lower(NEW.name_th || ' ' || NEW.name_en));
    ELSIF (NEW.name_th, NEW.name_en) IS DISTINCT FROM (OLD.name_th, OLD.name_en)
          AND NEW.search_name IS NOT DISTINCT FROM OLD.search_name THEN
        NEW.search_name := lower(NEW.name_th || ' ' || NEW.name_en);
    END IF;
    NEW.search_fold := org_name_fold(NEW.search_name);
    RETURN NEW;
END $$;

CREATE TRIGGER organisations_search_names BEFORE INSERT OR UPDATE OF name_th, name_en, search_name
    ON organisations FOR EACH ROW EXECUTE FUNCTION organisations_search_names();

UPDATE organisations SET search_name = lower(name_th || ' ' || name_en);
ALTER TABLE organisations ALTER COLUMN search_name SET NOT NULL, ALTER COLUMN search_fold SET NOT NULL;

CREATE INDEX organisations_search_name_trgm_idx ON organisations USING gin (search_name gin_trgm_ops);
CREATE INDEX organisations_search_fold_trgm_idx ON organisations USING gin (search_fold gin_trgm_ops);
