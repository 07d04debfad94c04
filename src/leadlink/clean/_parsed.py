"""What :func:`~leadlink.validate` and :func:`~leadlink.prepare` both read from the raw
leads, worked out once per run.

Both stages look at every distinct phone number and email address of the same columns:
validate to judge them, prepare to key them. Parsing a phone number is the costliest
normaliser call (on a million leads, about 650k distinct numbers), so
:func:`leadlink.dedupe` hands one :class:`ParsedColumns` to both: each column is
factorised once, and each distinct phone and email parsed once, by whichever stage reads
it first. Given other leads or another phone region than its own, a stage ignores it and
does its own work, so a stale one can only cost time, never change a result.

>>> import pandas as pd
>>> leads = pd.DataFrame({"phone": ["138 0013 8000", None, "138-0013-8000", "882 4567"]})
>>> parsed = ParsedColumns(leads, region="CN")
>>> parsed.distinct("phone")[0].tolist()
[0, -1, 1, 2]
>>> parsed.phones("phone")
[('+8613800138000', None, 'mobile'), ('+8613800138000', None, 'mobile'), ('local:8824567', None, 'local')]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from leadlink._values import factorize
from leadlink.clean.normalize import _email, _phone

__all__ = ["ParsedColumns"]

#: What :func:`leadlink.clean.normalize._phone.describe_key` gives: key, extension, kind.
PhoneParts = tuple[str | None, str | None, str | None]
#: What :func:`leadlink.clean.normalize._email.parts` gives: mailbox name and domain.
EmailParts = tuple[str, str] | None


class ParsedColumns:
    """Distinct values of the columns of one lead table, and what the phone and email
    normalisers found for each, computed when first asked for and then kept.

    Args:
        leads: the raw leads; only this very frame (the same object) is served.
        region: the default phone region the numbers are read with.
    """

    def __init__(self, leads: pd.DataFrame, region: str) -> None:
        self._leads = leads
        self.region = region
        self._distinct: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
        self._phones: dict[Any, list[PhoneParts]] = {}
        self._emails: dict[Any, list[EmailParts]] = {}

    def serves(self, leads: pd.DataFrame, region: str | None = None) -> bool:
        """Whether this holds what ``leads`` (read with ``region``, when given) give."""
        return leads is self._leads and (region is None or region == self.region)

    def distinct(self, column: Any) -> tuple[np.ndarray, np.ndarray]:
        """The codes and distinct values of ``column`` (see :func:`leadlink._values.factorize`)."""
        if column not in self._distinct:
            self._distinct[column] = factorize(self._leads[column])
        return self._distinct[column]

    def phones(self, column: Any, *, parse: bool = True) -> list[PhoneParts] | None:
        """Per distinct value of ``column``, its (key, extension, kind) as
        :func:`~leadlink.clean.normalize._phone.describe_key` gives them; without ``parse``,
        None when they have not been parsed yet."""
        if column not in self._phones:
            if not parse:
                return None
            values = self.distinct(column)[1]
            self._phones[column] = _phone.describe_keys(values, self.region)
        return self._phones[column]

    def emails(self, column: Any, *, parse: bool = True) -> list[EmailParts] | None:
        """Per distinct value of ``column``, its (mailbox name, domain) as
        :func:`~leadlink.clean.normalize._email.parts` gives them (None for an address
        that is not valid); without ``parse``, None when they have not been parsed yet."""
        if column not in self._emails:
            if not parse:
                return None
            values = self.distinct(column)[1]
            self._emails[column] = [_email.parts(value) for value in values]
        return self._emails[column]
