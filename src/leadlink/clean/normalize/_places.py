"""Chinese provinces and cities (simplified), with pinyin for the common Latin spellings.

The tables are data files in ``data/``, each naming its source.
"""

from __future__ import annotations

from leadlink._data import mapping, ordered

__all__ = ["CITIES", "LATIN_CITIES", "PROVINCES", "REGIONS"]

_DATA = "leadlink.clean.normalize"  # the package whose data/ folder holds the tables

#: The 34 provincial-level divisions by short name (data/provinces.txt), in file order.
PROVINCES: tuple[str, ...] = ordered(_DATA, "provinces.txt")
#: Municipalities, capitals and larger cities by short name (data/cities.txt).
CITIES: tuple[str, ...] = ordered(_DATA, "cities.txt")

REGIONS = tuple(sorted(set(PROVINCES) | set(CITIES), key=len, reverse=True))

#: Latin spelling -> city (data/cities_latin.tsv): beijing, peking -> 北京.
LATIN_CITIES: dict[str, str] = mapping(_DATA, "cities_latin.tsv")
