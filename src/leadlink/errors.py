"""Exceptions raised by leadlink.

Every error a user can cause is a :class:`LeadlinkError`; its message says what
was wrong and what to do instead::

    LeadlinkError
     ├── ColumnError        a role is missing, ambiguous or of the wrong type
     ├── InputError         the data cannot be read or violates the contract (duplicate ids ...)
     ├── ConfigError        an option, rule or threshold is not valid
     ├── ModelError         not fitted, incompatible model file, degenerate training
     └── ResourceError      a step would exhaust time or memory (a key shared by too many rows)

A run that works but cannot do what was asked (a mapped role no lead has a usable value
in, nothing to train on, no pair near the threshold) is not an error: it warns with a
:class:`LeadlinkWarning` (a :class:`UserWarning`) that says why and what to map instead.
"""

from __future__ import annotations

__all__ = [
    "ColumnError",
    "ConfigError",
    "InputError",
    "LeadlinkError",
    "LeadlinkWarning",
    "ModelError",
    "ResourceError",
]


class LeadlinkError(Exception):
    """Base class of every error leadlink raises on purpose."""


class ColumnError(LeadlinkError):
    """A role is missing, ambiguous or of the wrong type."""


class InputError(LeadlinkError):
    """The data cannot be read or violates the contract (duplicate ids, empty table ...)."""


class ConfigError(LeadlinkError):
    """An option, rule or threshold is not valid."""


class ModelError(LeadlinkError):
    """The model is not fitted, its file is incompatible, or training degenerated."""


class ResourceError(LeadlinkError):
    """A step would exhaust time or memory, e.g. a blocking key shared by too many rows."""


class LeadlinkWarning(UserWarning):
    """A run did less than asked, e.g. a mapped role is unusable or no pair could be linked;
    the message says why and what to do. Turn it into an error with
    ``warnings.simplefilter("error", leadlink.LeadlinkWarning)``."""
