-- A bench-only schema for PostGraphile 5: read-only views over Meridian's tables, restricted as
-- a donor sees them (active or closed plans that are disclosed, shared indicators, approved
-- values only), with smart tags for the keys and relations PostGraphile cannot find on views,
-- and one computed column: each indicator's latest approved measurement. Meridian's own schema
-- (public) is not changed. Safe to run again.
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

CREATE VIEW bench.administrations AS
  SELECT id, code, name ->> 'en' AS name_en, name, default_language
  FROM public.administrations;
COMMENT ON VIEW bench.administrations IS E'@primaryKey code';

CREATE VIEW bench.plans AS
  SELECT id, administration_code, title ->> 'en' AS title_en, title, status, disclosure, start_year, end_year
  FROM public.plans
  WHERE status IN ('active', 'closed') AND disclosure IN ('public', 'programme');
COMMENT ON VIEW bench.plans IS E'@primaryKey id\n@foreignKey (administration_code) references bench.administrations (code)';

CREATE VIEW bench.objectives AS
  SELECT id, plan_id, parent_id, code, title ->> 'en' AS title_en, title, level
  FROM public.objectives;
COMMENT ON VIEW bench.objectives IS E'@primaryKey id\n@foreignKey (plan_id) references bench.plans (id)';

CREATE VIEW bench.indicators AS
  SELECT id, objective_id, plan_id, name ->> 'en' AS name_en, name, unit, direction, frequency, baseline_value, baseline_period
  FROM public.indicators
  WHERE disclosure IN ('public', 'programme');
COMMENT ON VIEW bench.indicators IS E'@primaryKey id\n@foreignKey (objective_id) references bench.objectives (id)';

CREATE VIEW bench.measurements AS
  SELECT id, indicator_id, period, period_key, approved_value AS value, approved_at
  FROM public.measurements
  WHERE approved_value IS NOT NULL;
COMMENT ON VIEW bench.measurements IS E'@primaryKey id';

-- The computed column `latestApprovedMeasurement` on Indicator (same schema as its view).
CREATE FUNCTION bench.indicators_latest_approved_measurement(i bench.indicators) RETURNS bench.measurements
  LANGUAGE sql STABLE AS $$
    SELECT m.* FROM bench.measurements m WHERE m.indicator_id = i.id ORDER BY m.period_key DESC LIMIT 1
  $$;
