"""Scalar normalizers: one private module per field, with the same verbs.

Every function accepts any object (None, NaN, numbers, junk text, a 1 MB string) and never
raises; it returns ``None`` for missing or unusable input.

>>> import leadlink as ll
>>> ll.normalize.phone("+86-138-0013-8000"), ll.normalize.phone_extension("010-88886666转8001")
('+8613800138000', '8001')
>>> ll.normalize.name_key("張偉") == ll.normalize.name_key("Zhang Wei")
True
"""

from __future__ import annotations

from typing import Any

from leadlink.clean.normalize import (
    _address,
    _company,
    _email,
    _name,
    _organisation,
    _phone,
    _title,
    _website,
)

__all__ = [
    "address",
    "address_key",
    "city",
    "company",
    "email",
    "email_is_disposable",
    "email_is_free",
    "email_is_role",
    "is_placeholder_company",
    "is_placeholder_name",
    "name",
    "name_han",
    "name_key",
    "name_nickname_key",
    "organisation",
    "phone",
    "phone_extension",
    "phone_kind",
    "postcode",
    "title",
    "website",
]


def phone(value: Any, region: str = "CN") -> str | None:
    """E.164 of the main number: '138 0013 8000' -> '+8613800138000'."""
    return _phone.normalize(value, region)


def phone_extension(value: Any) -> str | None:
    """'转123', '分机 123', 'ext. 123', 'x123' -> '123'."""
    return _phone.extension(value)


def phone_kind(value: Any, region: str = "CN") -> str | None:
    """'mobile', 'landline', 'toll_free', 'voip' or 'other'."""
    return _phone.kind(value, region)


def email(value: Any) -> str | None:
    """Canonical mailbox: case, spaces, trailing dots, gmail dots and +tags."""
    return _email.normalize(value)


def email_is_role(value: Any) -> bool:
    return _email.is_role(value)


def email_is_disposable(value: Any) -> bool:
    return _email.is_disposable(value)


def email_is_free(value: Any) -> bool:
    return _email.is_free_provider(value)


def name(value: Any) -> str | None:
    """Canonical personal name (script kept, 繁→简, honorifics dropped)."""
    return _name.normalize(value)


def name_key(value: Any) -> str | None:
    """Script-independent key: 张伟 == 張偉 == Zhang Wei == wei zhang."""
    return _name.key(value)


def name_nickname_key(value: Any) -> str | None:
    """:func:`name_key` with English nicknames mapped (Bob -> Robert)."""
    return _name.nickname_key(value)


def name_han(value: Any) -> str | None:
    """The simplified Han characters of a name, if any."""
    return _name.han(value)


def is_placeholder_name(value: Any) -> bool:
    return _name.is_placeholder(value)


def company(value: Any) -> str | None:
    """Comparison key: legal form, region and script variants removed."""
    return _company.normalize(value)


def is_placeholder_company(value: Any) -> bool:
    return _company.is_placeholder(value)


def city(value: Any) -> str | None:
    """Canonical city: 北京市 -> 北京, Beijing -> 北京."""
    return _address.city(value)


def title(value: Any) -> str | None:
    """Job title key, the same in either language: 销售经理 -> 'manager sales' <- Sales Mgr."""
    return _title.key(value)


def address(value: Any) -> str | None:
    """An address line, cleaned."""
    return _address.normalize(value)


def address_key(value: Any) -> str | None:
    """Comparable address key: '12 North Main Street, Apt. 4' -> '12 n main st u4';
    广东省深圳市南山区科苑路15号 -> '科苑路15号' (postcode, province, city, district out)."""
    return _address.key(value)


def postcode(value: Any) -> str | None:
    """Postcode: '62704-1234' -> '62704', 'sw1a1aa' -> 'SW1A 1AA', ' 100 080 ' -> '100080'."""
    return _address.postcode(value)


def website(value: Any) -> str | None:
    """Registrable domain of a website: 'https://www.acme.co.uk/about' -> 'acme.co.uk'."""
    return _website.domain(value)


def organisation(value: Any) -> str | None:
    """An organisation's key as an account: legal forms and region out, a branch or site
    kept ('Acme Inc. - Berlin Branch' -> 'acme · berlin branch'); see
    ``dedupe(entity="company")``."""
    found = _organisation.parts(value)
    return None if found is None else found.key
