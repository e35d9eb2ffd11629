-- A person's record reads the events of their coverages (enrolment::coverage_events joins
-- coverage_event to coverage by coverage_id): without an index on coverage_id that read scans
-- every coverage event, which `yibao bench volume` showed at 100,000 persons (33 ms for the
-- record page) and would be seconds at a city's 10 million (docs/performance.md, "Volume").
CREATE INDEX coverage_event_coverage ON coverage_event (coverage_id, id);
