"""The births in the records as SQL, one home for the report and the trend: one row per child
(where its latest record puts it, and born when), and counted by LSOA and month of birth. The
births of the last 12 months fall back to these where health shares no counts.

The statement using them defines `span` (`first_month`, `last_month`: the months wanted). Only the
children with a record born in those months are grouped, and each of them from all of its
records: a child's month is that of its latest record's date of birth, which is one of its
records' dates, so a child with none in the span can never be counted in it. The figures are
exactly those of grouping every child, at a fraction of the work (a national store holds years of
births; a report wants 12 months of them).
"""

BIRTHS_RECORDED_CTES = """
birth_record AS (
    SELECT child_key, arg_max(lsoa_code, received_on) AS lsoa_code, arg_max(dob, received_on) AS dob
    FROM births
    WHERE event = 'birth' AND child_key IN (
        SELECT child_key FROM births, span s
        WHERE event = 'birth' AND dob >= s.first_month AND dob < s.last_month + INTERVAL 1 MONTH)
    GROUP BY child_key
),
records_by_lsoa_month AS (
    SELECT lsoa_code, CAST(date_trunc('month', dob) AS DATE) AS month, count(*) AS births
    FROM birth_record GROUP BY ALL
)"""
