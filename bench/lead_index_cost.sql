-- What the lead table's indexes cost a bulk reassign, on a database seeded by `python -m bench`:
--   psql -h 127.0.0.1 -d bench -f bench/lead_index_cost.sql
-- Each block gives 10,000 open leads (a different 10,000 each time) a new owner, as Reassign lead does,
-- with some indexes dropped first, inside a transaction that is rolled back: nothing is changed.
\timing on

SELECT array_agg(id) AS ids FROM (SELECT id FROM lead WHERE status IN ('assigned', 'contacted')
                                  ORDER BY id LIMIT 10000 OFFSET 0) s \gset
\echo every index
BEGIN;
UPDATE lead SET owner_id = (SELECT min(id) FROM app_user), version = version + 1, updated_at = now(),
                assigned_at = now() WHERE id = ANY(:'ids'::int[]);
ROLLBACK;

SELECT array_agg(id) AS ids FROM (SELECT id FROM lead WHERE status IN ('assigned', 'contacted')
                                  ORDER BY id LIMIT 10000 OFFSET 10000) s \gset
\echo without the two trigram indexes
BEGIN;
DROP INDEX ix_lead_company_trgm, ix_lead_contact_email_trgm;
UPDATE lead SET owner_id = (SELECT min(id) FROM app_user), version = version + 1, updated_at = now(),
                assigned_at = now() WHERE id = ANY(:'ids'::int[]);
ROLLBACK;

SELECT array_agg(id) AS ids FROM (SELECT id FROM lead WHERE status IN ('assigned', 'contacted')
                                  ORDER BY id LIMIT 10000 OFFSET 20000) s \gset
\echo without the three text b-trees
BEGIN;
DROP INDEX ix_lead_company, ix_lead_contact_email, ix_lead_region;
UPDATE lead SET owner_id = (SELECT min(id) FROM app_user), version = version + 1, updated_at = now(),
                assigned_at = now() WHERE id = ANY(:'ids'::int[]);
ROLLBACK;

SELECT array_agg(id) AS ids FROM (SELECT id FROM lead WHERE status IN ('assigned', 'contacted')
                                  ORDER BY id LIMIT 10000 OFFSET 30000) s \gset
\echo without all five text indexes
BEGIN;
DROP INDEX ix_lead_company_trgm, ix_lead_contact_email_trgm,
           ix_lead_company, ix_lead_contact_email, ix_lead_region;
UPDATE lead SET owner_id = (SELECT min(id) FROM app_user), version = version + 1, updated_at = now(),
                assigned_at = now() WHERE id = ANY(:'ids'::int[]);
ROLLBACK;
