"""The ``leadlink`` command: the same stages as the Python API, files in and out.

Exit codes: 0 success, 2 bad input or options (one line on stderr), 1 internal error
(one line on stderr; ``--debug`` shows the traceback), 3 ``dedupe`` ran and wrote its
outputs but could not look for duplicates — no model could be trained or no pair of leads
was compared — or ``link`` ran and wrote its outputs but linked no lead to an account,
with ``leadlink: warning: ...`` lines on stderr that say why and what to map.

The package reads one way: ``_common`` (helpers the commands share) ← ``_matching``,
``_linking`` and ``_scoring`` (the runners) ← ``_arguments`` (the parser, pointing at the
runners) ← here.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence

from leadlink._i18n import LANGUAGES, language, say
from leadlink.cli._arguments import _parser
from leadlink.cli._common import _apply_config, _err
from leadlink.errors import LeadlinkError

__all__ = ["main"]

logger = logging.getLogger("leadlink")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # --lang is read before parsing, so that a wrong option is refused in that language too
    with language(_lang_option(arguments)):
        return _main(arguments)


def _lang_option(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv`` when it is one of the languages, else None."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            return value if value in LANGUAGES else None
    return None


def _main(argv: Sequence[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="leadlink: %(message)s",
        stream=sys.stderr,
    )
    # Which options the command line gives, so that they win over a --config file's.
    args.flags_given = sorted({arg.split("=")[0] for arg in argv if arg.startswith("--")})
    try:
        _apply_config(args)
        result: int = args.run(args)
        return result
    except LeadlinkError as error:
        if args.debug:
            traceback.print_exc()
        _err(say(f"error: {error}", f"错误：{error}"))
        return 2
    except KeyboardInterrupt:
        _err(say("interrupted", "已中断"))
        return 130
    except Exception as error:
        kind = type(error).__name__
        if args.debug:
            traceback.print_exc()
            _err(
                say(
                    f"internal error ({kind}); please report it",
                    f"内部错误（{kind}）；请报告此问题",
                )
            )
            return 1
        _err(
            say(
                f"internal error ({kind}); run again with --debug for the traceback and report it",
                f"内部错误（{kind}）；请加上 --debug 重新运行以查看调用栈，并报告此问题",
            )
        )
        return 1
