-- The unit's seal (加盖单位公章) on a material, confirmed by the clerk who saw it: where the guide
-- asks for the seal, a case is not complete until it is confirmed (docs/materials.md).
-- Empty = not confirmed; otherwise the clerk's label, with the time.
ALTER TABLE case_material ADD COLUMN seal_confirmed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE case_material ADD COLUMN seal_confirmed_at TEXT;
