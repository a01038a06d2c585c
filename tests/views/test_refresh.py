"""The dashboard and the command line share one database: an import from the command line while
the dashboard is open shows on the next page load, with no restart."""

from tests.views.command_line import import_new_registrations


def _known(at) -> int:
    metric = next(m for m in at.metric if m.label == "Known children")
    return int(metric.value.replace(",", ""))


def test_an_import_from_the_command_line_shows_without_a_restart(app, demo_db, tmp_path):
    before = _known(app)
    result = import_new_registrations(demo_db, tmp_path, prefix="cli-new-child", count=10)
    assert result.returncode == 0, result.stderr
    assert "10 rows loaded" in result.stdout
    app.run()
    assert not app.exception
    assert _known(app) == before + 10
