"""The HTTP face of a :class:`~leadlink.LeadIndex`: a JSON API and a lead-entry page.

``create_app(index)`` returns an ASGI application (FastAPI) that a CRM back end calls to
check a lead while it is typed in, and to add, update and remove leads; ``leadlink serve``
runs it with uvicorn. Both come with the optional extra: ``pip install 'leadlink[serve]'``.
The endpoints, the page and the thread-safety rules are described in docs/serve.md.

The service has no authentication and no TLS: put it behind the gateway that gives your
CRM its logins.
"""

from __future__ import annotations

from typing import Any

from leadlink._i18n import say
from leadlink.errors import ConfigError

__all__ = ["create_app", "require_extra"]


def _missing_extra() -> str | None:
    """The name of the first package of the ``serve`` extra that is not installed, or
    None when the service can run."""
    import importlib.util

    for package in ("fastapi", "uvicorn"):
        if importlib.util.find_spec(package) is None:
            return package
    return None


def require_extra() -> None:
    """Refuse, with what to install, when FastAPI or uvicorn is missing.

    Raises:
        ConfigError: a package of the ``serve`` extra is not installed.
    """
    missing = _missing_extra()
    if missing is not None:
        raise ConfigError(
            say(
                f"the service needs {missing}, which is not installed: "
                "pip install 'leadlink[serve]'",
                f"服务需要 {missing}，但它没有安装：pip install 'leadlink[serve]'",
            )
        )


def create_app(index: Any, *, save_to: str | None = None) -> Any:
    """The ASGI application serving ``index`` (a :class:`~leadlink.LeadIndex`).

    Args:
        index: the lead index to match against and to add leads to.
        save_to: when given, the index is saved there (``index.save``) when the
            application shuts down, so that the leads added through it survive a restart.

    Raises:
        ConfigError: FastAPI or uvicorn is not installed (the ``serve`` extra).
    """
    require_extra()
    from leadlink.serve._app import build_app

    return build_app(index, save_to=save_to)
