"""Vietnam's districts and towns and the province each lies in: a gazetteer for the place tagger
(:mod:`.places`), so that "huyện Củ Chi" tells Thành phố Hồ Chí Minh.

The divisions come from the ``vietnam-provinces`` package, pinned to its 0.6 series: the 63 provinces
with their 700 districts and 10,000 wards as the statistics office listed them in January 2025, before
the July 2025 reorganisation (its later series hold only the 34 new provinces and their wards, no
districts). The news read here is from 2005-2017, so names of that map are what it uses; a district
merged or renamed before 2025 (Quận 2 and 9 of Hồ Chí Minh City, Hoành Bồ) is not in it, except that
"quận N" stands for any numbered district (only one city numbers them). Districts of Hà Tây are
Hà Nội's, as the tagger reads "Hà Tây" itself.

Read once, on the first article tagged (never on the query path); only the 660 district names are
kept, not the wards.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import lru_cache

from ..text.normalize import canonical_tone, fold

_KIND = re.compile(r"^(huyện|quận|thị xã|thành phố)\s+(.+)$", re.IGNORECASE)


class Division:
    """A district: its name (lowercase, canonical tone placement), kind and province."""

    __slots__ = ("name", "kind", "province")

    def __init__(self, name: str, kind: str, province: str) -> None:
        self.name, self.kind, self.province = name, kind, province

    def __repr__(self) -> str:
        return f"Division({self.kind} {self.name}, {self.province})"


def _lower(name: str) -> str:
    return " ".join(canonical_tone(word) for word in name.lower().split())


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, tuple[Division, ...]]:
    """Every district of the package's data, by folded lowercase name ("chau thanh": six)."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    from .places import canonical_place

    provinces = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    districts: dict[str, list[Division]] = defaultdict(list)
    numbered: set[str] = set()
    for province in provinces:
        place = canonical_place(re.sub(r"^(?:Tỉnh|Thành phố)\s+", "", province["name"], flags=re.IGNORECASE))
        if place is None:
            raise RuntimeError(f"vietnam-provinces names a province the tagger does not: {province['name']}")
        for district in province["districts"]:
            _add(districts, district["name"], place)
            if re.fullmatch(r"quận\s+\d+", district["name"], re.IGNORECASE):
                numbered.add(place)
    if len(numbered) == 1:  # "quận 2", "quận 9": numbered districts merged since, in the one such city
        (place,) = numbered
        top = max(int(name) for name in districts if name.isdigit())
        for number in range(1, top + 1):
            if str(number) not in districts:
                districts[str(number)].append(Division(str(number), "quận", place))
    return {name: tuple(found) for name, found in districts.items()}


def _add(table: dict[str, list[Division]], full_name: str, place: str) -> None:
    found = _KIND.match(" ".join(full_name.split()))
    if not found:
        return
    kind, name = found.group(1).lower(), found.group(2)
    table[fold(name).lower()].append(Division(_lower(name), kind, place))
