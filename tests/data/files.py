"""Writing small input files for the importer tests."""

from pathlib import Path


def write_lines(folder: Path, name: str, lines: list[str]) -> Path:
    """A text file of the given lines (UTF-8, newline-terminated) in `folder`."""
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
