-- Residents' yearly contributions (城乡居民个人缴费) join the ledger: payer kind `resident`, one
-- line per person and year, written in the month column as the year's first month (`YYYY-01`),
-- so a year's totals and the paged ledger take it as they take monthly lines. Paid records of
-- kind `resident` come from the tax authority's import like the others.
-- Keep in step with ../sqlite/0020_resident_contributions.sql.

ALTER TABLE contribution_due DROP CONSTRAINT contribution_due_kind_check;
ALTER TABLE contribution_due ADD CONSTRAINT contribution_due_kind_check
    CHECK (kind IN ('employee', 'flexible', 'retired', 'resident'));

ALTER TABLE contribution_paid DROP CONSTRAINT contribution_paid_kind_check;
ALTER TABLE contribution_paid ADD CONSTRAINT contribution_paid_kind_check
    CHECK (kind IN ('employee', 'flexible', 'resident'));
