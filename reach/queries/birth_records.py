"""The births in the records as SQL, one home for the report and the trend: one row per child
(where its latest record puts it, and born when), and counted by LSOA and month of birth. The
births of the last 12 months fall back to these where health shares no counts.
"""

BIRTHS_RECORDED_CTES = """
birth_record AS (
    SELECT child_key, arg_max(lsoa_code, received_on) AS lsoa_code, arg_max(dob, received_on) AS dob
    FROM births WHERE event = 'birth' GROUP BY child_key
),
records_by_lsoa_month AS (
    SELECT lsoa_code, CAST(date_trunc('month', dob) AS DATE) AS month, count(*) AS births
    FROM birth_record GROUP BY ALL
)"""
