-- The baseline for the report: every measure of `python -m reach report --by centre`, as at one
-- date, written by hand as one plain DuckDB query over the same store, with the standard settings
-- (bands at 97, 65 and 51; sustained contact at 3 contacts in 12 months). It is what a
-- competent analyst would write for one date, with none of Reach's structure: no spells, no
-- shared steps, no Python after the query. bench/bench_scale.py times the report against it, and
-- tests/reach/queries/test_bare_report.py holds its figures equal to the report's, so the
-- comparison is honest.
--
-- One parameter: $as_at, the date.

WITH
-- Each child's registration in force on the date: the latest on or before it (on the same day,
-- the last imported, then the last centre), kept while the child is under five.
registered AS (
    SELECT child_key, dob, lsoa_code, family_key, registered_on
    FROM registrations
    WHERE registered_on <= $as_at
    QUALIFY row_number() OVER (PARTITION BY child_key
                               ORDER BY registered_on DESC, import_id DESC, centre_id DESC) = 1
),
fifth AS (
    SELECT *,
           CASE WHEN month(dob) = 2 AND day(dob) = 29 THEN make_date(year(dob) + 5, 3, 1)
                ELSE CAST(dob + INTERVAL 5 YEAR AS DATE) END AS fifth_birthday,
           CASE WHEN month(dob) = 2 AND day(dob) = 29 THEN make_date(year(dob) + 2, 3, 1)
                ELSE CAST(dob + INTERVAL 2 YEAR AS DATE) END AS second_birthday
    FROM registered
),
known AS (
    SELECT child_key, dob, lsoa_code, family_key, $as_at < second_birthday AS under2
    FROM fifth WHERE dob <= $as_at AND $as_at < fifth_birthday
),
contacts_12m AS (
    SELECT child_key FROM contacts
    WHERE contact_on <= $as_at AND contact_on > CAST($as_at - INTERVAL 1 YEAR AS DATE)
    GROUP BY child_key HAVING count(*) >= 3
),
-- Each child's latest birth (or arrival) record received by the date, if the child is not
-- registered anywhere by then and is under five.
birth_record AS (
    SELECT child_key, dob, lsoa_code
    FROM births
    WHERE received_on <= $as_at
    QUALIFY row_number() OVER (PARTITION BY child_key ORDER BY received_on DESC, import_id DESC) = 1
),
unmatched AS (
    SELECT b.lsoa_code,
           $as_at < CASE WHEN month(b.dob) = 2 AND day(b.dob) = 29 THEN make_date(year(b.dob) + 2, 3, 1)
                         ELSE CAST(b.dob + INTERVAL 2 YEAR AS DATE) END AS under2
    FROM birth_record b
    WHERE b.dob <= $as_at
      AND $as_at < CASE WHEN month(b.dob) = 2 AND day(b.dob) = 29 THEN make_date(year(b.dob) + 5, 3, 1)
                        ELSE CAST(b.dob + INTERVAL 5 YEAR AS DATE) END
      AND NOT EXISTS (SELECT 1 FROM registrations r
                      WHERE r.child_key = b.child_key AND r.registered_on <= $as_at)
),
known_by_lsoa AS (
    SELECT k.lsoa_code,
           count(*) AS known_children,
           count(s.child_key) AS sustained_contact,
           count(*) FILTER (WHERE k.dob >= CAST(date_trunc('month', $as_at) - INTERVAL 12 MONTH AS DATE)
                              AND k.dob < CAST(date_trunc('month', $as_at) AS DATE)) AS newborns_known_12m,
           count(*) FILTER (WHERE k.under2) AS known_under2
    FROM known k LEFT JOIN contacts_12m s USING (child_key)
    GROUP BY k.lsoa_code
),
unmatched_by_lsoa AS (
    SELECT lsoa_code, count(*) AS unmatched_births, count(*) FILTER (WHERE under2) AS unmatched_under2
    FROM unmatched GROUP BY lsoa_code
),
-- The population estimate: the latest dated on or before the date, else the earliest.
estimates AS (
    SELECT lsoa_code,
           arg_max_null(children_0_4, period) FILTER (WHERE period <= $as_at) AS latest_0_4,
           arg_max_null(children_0_1, period) FILTER (WHERE period <= $as_at) AS latest_0_1,
           arg_min_null(children_0_4, period) AS earliest_0_4,
           arg_min_null(children_0_1, period) AS earliest_0_1
    FROM population GROUP BY lsoa_code
),
deprived AS (
    SELECT lsoa_code, arg_max(idaci_decile, edition) IN (1, 2, 3) AS deprived
    FROM deprivation GROUP BY lsoa_code
),
last_birth_data AS (
    SELECT lsoa_code, max(received_on) AS last_received FROM (
        SELECT lsoa_code, received_on FROM births WHERE received_on <= $as_at
        UNION ALL
        SELECT area_code, received_on FROM birth_counts WHERE area_type = 'lsoa' AND received_on <= $as_at
    ) GROUP BY lsoa_code
),
-- Births in the 12 complete months before the date's month: counts where health shares them
-- (for the centre, else for its LSOAs), else the birth records (where each child's latest puts it).
months AS (
    SELECT CAST(date_trunc('month', $as_at) - INTERVAL (k) MONTH AS DATE) AS month FROM range(1, 13) t(k)
),
recorded AS (
    SELECT lsoa_code, CAST(date_trunc('month', dob) AS DATE) AS month, count(*) AS births
    FROM (SELECT arg_max(lsoa_code, (received_on - DATE '1970-01-01') * 4294967296 + import_id) AS lsoa_code,
                 arg_max(dob, (received_on - DATE '1970-01-01') * 4294967296 + import_id) AS dob
          FROM births WHERE event = 'birth' GROUP BY child_key)
    GROUP BY ALL
),
centre_month AS (
    SELECT ra.centre_id, m.month, sum(c.births) AS lsoa_counted, sum(coalesce(r.births, 0)) AS recorded
    FROM reach_areas ra CROSS JOIN months m
    LEFT JOIN birth_counts c ON c.area_type = 'lsoa' AND c.area_code = ra.lsoa_code AND c.month = m.month
    LEFT JOIN recorded r ON r.lsoa_code = ra.lsoa_code AND r.month = m.month
    GROUP BY ALL
),
centre_births AS (
    SELECT m.centre_id,
           sum(coalesce(cc.births, m.lsoa_counted, m.recorded)) AS births_12m
    FROM centre_month m
    LEFT JOIN birth_counts cc ON cc.area_type = 'centre' AND cc.area_code = m.centre_id AND cc.month = m.month
    GROUP BY m.centre_id
),
centre_counts_received AS (
    SELECT area_code AS centre_id, max(received_on) AS last_received
    FROM birth_counts WHERE area_type = 'centre' AND received_on <= $as_at GROUP BY area_code
),
lsoa_rows AS (
    SELECT ra.centre_id, ra.lsoa_code,
           coalesce(e.latest_0_4, e.earliest_0_4,
                    coalesce(k.known_children, 0) + coalesce(u.unmatched_births, 0)) AS children_under5,
           e.latest_0_4 IS NULL AS flagged,
           coalesce(k.known_children, 0) AS known_children,
           coalesce(u.unmatched_births, 0) AS unmatched_births,
           coalesce(k.sustained_contact, 0) AS sustained_contact,
           coalesce(k.newborns_known_12m, 0) AS newborns_known_12m,
           coalesce(d.deprived, false) AS deprived,
           l.last_received,
           CASE WHEN e.latest_0_4 IS NOT NULL THEN coalesce(e.latest_0_1, (4 * e.latest_0_4 + 5) // 10)
                WHEN e.earliest_0_4 IS NOT NULL THEN coalesce(e.earliest_0_1, (4 * e.earliest_0_4 + 5) // 10)
                ELSE coalesce(k.known_under2, 0) + coalesce(u.unmatched_under2, 0) END AS children_under2,
           coalesce(k.known_under2, 0) AS known_under2,
           CASE WHEN e.latest_0_4 IS NOT NULL THEN e.latest_0_1 IS NULL
                WHEN e.earliest_0_4 IS NOT NULL THEN e.earliest_0_1 IS NULL
                ELSE true END AS under2_estimated
    FROM reach_areas ra
    LEFT JOIN estimates e USING (lsoa_code)
    LEFT JOIN known_by_lsoa k USING (lsoa_code)
    LEFT JOIN unmatched_by_lsoa u USING (lsoa_code)
    LEFT JOIN deprived d USING (lsoa_code)
    LEFT JOIN last_birth_data l USING (lsoa_code)
),
centre_sums AS (
    SELECT centre_id,
           sum(children_under5) AS children_under5, sum(known_children) AS known_children,
           sum(unmatched_births) AS unmatched_births, sum(sustained_contact) AS sustained_contact,
           sum(children_under5) FILTER (WHERE deprived) AS deprived_under5,
           sum(known_children) FILTER (WHERE deprived) AS deprived_known,
           sum(newborns_known_12m) AS newborns_known_12m,
           max(last_received) AS last_received,
           count(*) AS lsoas, count(*) FILTER (WHERE flagged) AS flagged_lsoas,
           sum(children_under2) AS children_under2, sum(known_under2) AS known_under2,
           bool_or(under2_estimated) AS under2_estimated
    FROM lsoa_rows GROUP BY centre_id
),
families AS (
    SELECT ra.centre_id, count(DISTINCT k.family_key) AS known_families
    FROM known k JOIN reach_areas ra USING (lsoa_code) GROUP BY ra.centre_id
),
every_centre AS (
    SELECT centre_id, coalesce(c.name, centre_id) AS centre_name
    FROM (SELECT centre_id FROM centres UNION SELECT centre_id FROM reach_areas) LEFT JOIN centres c USING (centre_id)
),
centre_rows AS (
    SELECT e.centre_id, e.centre_name,
           coalesce(s.children_under5, 0) AS children_under5,
           coalesce(s.known_children, 0) AS known_children,
           coalesce(s.unmatched_births, 0) AS unmatched_births,
           coalesce(s.sustained_contact, 0) AS sustained_contact,
           coalesce(s.deprived_under5, 0) AS deprived_under5,
           coalesce(s.deprived_known, 0) AS deprived_known,
           coalesce(b.births_12m, 0) AS births_12m,
           coalesce(s.newborns_known_12m, 0) AS newborns_known_12m,
           greatest(s.last_received, cr.last_received) AS last_received,
           coalesce(f.known_families, 0) AS known_families,
           coalesce(s.lsoas, 0) AS lsoas,
           coalesce(s.flagged_lsoas, 0) AS flagged_lsoas,
           coalesce(s.children_under2, 0) AS children_under2,
           coalesce(s.known_under2, 0) AS known_under2,
           coalesce(s.under2_estimated, false) AS under2_estimated
    FROM every_centre e
    LEFT JOIN centre_sums s USING (centre_id)
    LEFT JOIN centre_births b USING (centre_id)
    LEFT JOIN centre_counts_received cr USING (centre_id)
    LEFT JOIN families f USING (centre_id)
),
with_reach AS (
    SELECT *,
           CASE WHEN children_under5 > 0 THEN 100.0 * known_children / children_under5 END AS reach_pct
    FROM centre_rows
)
SELECT centre_id, centre_name, children_under5, known_children, reach_pct,
       CASE WHEN reach_pct >= 97 THEN 'outstanding' WHEN reach_pct >= 65 THEN 'good'
            WHEN reach_pct >= 51 THEN 'requires improvement' WHEN reach_pct IS NOT NULL THEN 'inadequate'
       END AS band,
       greatest(0, CAST(ceil(round(0.97 * children_under5, 9)) AS BIGINT) - known_children) AS families_to_find,
       unmatched_births, sustained_contact,
       CASE WHEN children_under5 > 0 THEN 100.0 * sustained_contact / children_under5 END AS sustained_pct,
       deprived_under5, deprived_known,
       CASE WHEN deprived_under5 > 0 THEN 100.0 * deprived_known / deprived_under5 END AS deprived_reach_pct,
       births_12m, newborns_known_12m,
       CASE WHEN births_12m > 0 THEN 100.0 * newborns_known_12m / births_12m END AS newborn_reach_pct,
       $as_at - last_received AS birth_data_lag_days,
       flagged_lsoas > 0 OR coalesce(reach_pct > 100, false) AS denominator_flagged,
       known_families, lsoas,
       coalesce(reach_pct > 100, false) AS over_100,
       children_under2, known_under2,
       CASE WHEN children_under2 > 0 THEN 100.0 * known_under2 / children_under2 END AS reach_under2_pct,
       greatest(0, CAST(ceil(round(0.97 * children_under2, 9)) AS BIGINT) - known_under2) AS families_to_find_under2,
       under2_estimated
FROM with_reach
ORDER BY centre_id
