"""The tests are a package, so that a test imports the helpers it shares with others by their
full name (`from tests.reach.rows import insert_rows`), with no change to `sys.path`."""
