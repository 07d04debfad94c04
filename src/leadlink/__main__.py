"""``python -m leadlink``: the command line."""

from leadlink.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
