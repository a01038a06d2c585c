"""The storing step's remembering connection fetches Arrow tables without DuckDB's warning."""

import warnings
from datetime import date

import duckdb

from reach.queries import figures_store


def test_arrow_from_the_remembering_connection_gives_no_warning_and_is_asked_once():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (DATE '2024-01-31', 2), (DATE '2024-03-31', 5)) v(d, n)")
    memory = figures_store._Remembering().on(con)
    sql = "SELECT d, n FROM t WHERE d <= ? ORDER BY d"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tables = [memory.execute(sql, [date(2024, 2, 29)]).to_arrow_table() for _ in range(2)]
        other = memory.execute(sql, [date(2024, 12, 31)]).to_arrow_table()
        plain = memory.execute("SELECT sum(n) AS total FROM t").to_arrow_table()
    assert tables[0].column("n").to_pylist() == [2]
    assert tables[1] is tables[0]                      # the second answer came from memory
    assert other.column("n").to_pylist() == [2, 5]
    assert plain.column("total").to_pylist() == [7]
    assert (memory.asked, memory.answered) == (4, 1)
