-- The ledger's two foreign keys to `institution` (settlement, settlement_request) are replaced by
-- a trigger on `institution` that refuses what they refused: deleting an institution, or changing
-- its id, while settlements name it (ADR 0018). A foreign key checks every inserted row by
-- locking the institution's row (`FOR KEY SHARE`); every concurrent settlement of one hospital
-- locks the same row, and PostgreSQL records the lockers of a row locked by several open
-- transactions in a multixact, written and logged for each. Measured in docs/performance.md
-- (session 15). The institution id a settlement carries is the one its token was read with.
-- Keep in step with ../sqlite/0056_settlement_institution_guard.sql.
ALTER TABLE settlement DROP CONSTRAINT settlement_institution_id_fkey;
ALTER TABLE settlement_request DROP CONSTRAINT settlement_request_institution_id_fkey;

CREATE FUNCTION institution_settled_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM settlement_request WHERE institution_id = OLD.id)
       OR EXISTS (SELECT 1 FROM settlement WHERE institution_id = OLD.id) THEN
        RAISE EXCEPTION 'institution % is named by settlements', OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER institution_settled_guard BEFORE DELETE OR UPDATE OF id ON institution
    FOR EACH ROW EXECUTE FUNCTION institution_settled_guard();
