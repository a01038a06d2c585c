"""The README is checked against the command line, so the two cannot drift apart."""

import re
from pathlib import Path

from data.importers import KINDS
from cli.main import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands() -> dict:
    parser = build_parser()
    action = next(a for a in parser._subparsers._group_actions if a.dest == "command")
    return action.choices


def test_every_command_is_in_the_readme():
    for name in _commands():
        assert re.search(rf"`{name}\b", README), f"the README does not describe `{name}`"


def test_every_kind_of_file_is_in_the_readme_table():
    table = {row.split("|")[1].strip(" `") for row in README.splitlines() if row.startswith("| `")}
    assert set(KINDS) <= table, sorted(set(KINDS) - table)


def test_every_option_of_report_and_import_is_in_the_readme():
    commands = _commands()
    for name in ("report", "import", "quarantine"):
        for action in commands[name]._actions:
            for option in action.option_strings:
                if option.startswith("--") and option not in ("--help", "--db"):
                    assert option in README, f"the README does not mention {name} {option}"


def test_the_readme_commands_are_the_ones_ci_runs():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    test_command = ".venv/bin/pip install -r requirements.txt && .venv/bin/python -m pytest"
    assert test_command in README and test_command.replace(" -r", " -q -r") in ci
