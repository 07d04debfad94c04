"""Writing a benchmark's JSON result, with the same header in every script: the benchmark,
the leadlink and Python versions and the machine."""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import leadlink as ll

_PATH_ARGUMENTS = {"output", "input", "data", "against", "model"}


def write_results(path: str | Path, benchmark: str, **fields: Any) -> Path:
    """Write ``fields`` under the common header to ``path`` (folders made) and say so."""
    output = Path(path)
    output.parent.mkdir(parents=True, exist_ok=True)
    arguments = fields.get("arguments")
    if isinstance(arguments, dict):
        # Paths given on the command line are this machine's; the result keeps their names only.
        fields["arguments"] = {
            key: Path(value).name if key in _PATH_ARGUMENTS and isinstance(value, str) else value
            for key, value in arguments.items()
        }
    header = {
        "benchmark": benchmark,
        "leadlink_version": ll.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    output.write_text(json.dumps(header | fields, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {output}")
    return output
