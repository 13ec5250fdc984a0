"""KFOR's sector, brigade and zone names as a grammar: one canonical name for each way of writing one.

The reports name the areas KFOR divides Kosovo into (and sibling forces their
theatres) in many shapes: "Multinational Brigade (MNB) (Centre)", "MNB
(West)", "MNB-C", "Multinational Task Force East", "MNTF-E", "Multi-National
Battle Group East", "Regional Command North", lettered or numbered sectors
("Sector B"), numbered gates and crossing points ("Gate 31", "Crossing Point
3") and named zones ("Ground Safety Zone"). The EntityRuler finds them with
the patterns of data/entity_patterns.jsonl; `area_label` gives the one name
each gets as a place, so every shape of one area is one entity:

>>> area_label("Multinational Brigade (MNB) (Centre)"), area_label("MNTF-E")
('Multinational Brigade Centre', 'Multinational Task Force East')
>>> area_label("MNB(C)"), area_label("sector b"), area_label("Kosovo")
('Multinational Brigade Centre', 'Sector B', None)
"""

from __future__ import annotations

import re

__all__ = ["area_label"]

# The unit an area is named after: acronym -> words.
_UNITS = {"mnb": "Multinational Brigade", "mntf": "Multinational Task Force",
          "mnbg": "Multinational Battle Group", "mntg": "Multinational Task Group",
          "tf": "Task Force", "rc": "Regional Command"}
_UNIT_WORDS = {re.sub(r"\s+", " ", v.lower()): v for v in _UNITS.values()}
# Directions, written out or by their letter.
_DIRECTIONS = {"n": "North", "s": "South", "e": "East", "w": "West", "c": "Centre",
               "ne": "North-East", "nw": "North-West", "se": "South-East", "sw": "South-West",
               "north": "North", "south": "South", "east": "East", "west": "West",
               "centre": "Centre", "center": "Centre", "central": "Centre",
               "northeast": "North-East", "north-east": "North-East", "northwest": "North-West",
               "north-west": "North-West", "southeast": "South-East", "south-east": "South-East",
               "southwest": "South-West", "south-west": "South-West"}
_DIR = r"(north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|north|south|east|west|cent(?:re|er|ral)|[nsewc]{1,2})"
_UNIT = (r"(?P<unit>multi[- ]?national\s+(?:brigade|task\s+force|battle\s*group|task\s+group)"
         r"|task\s+force|regional\s+command|mnb|mntf|mnbg|mntg|tf|rc)")
_AREA = re.compile(
    rf"{_UNIT}(?:\s*\(\s*[A-Z-]+\s*\))?\s*(?:\(\s*(?P<dir>{_DIR})\s*\)?|-?\s*(?P<dir2>{_DIR}))", re.I)
_NUMBERED = re.compile(r"(?P<kind>sector|gate|crossing\s+point|checkpoint|zone)\s+"
                       r"(?P<id>[a-z]|\d{1,3}|alpha|bravo|charlie|delta|echo|north|south|east|west|cent(?:re|er|ral))",
                       re.I)
_ZONE = re.compile(r"(?P<words>(?:[a-z]+\s+)?(?:safety|security|exclusion|buffer|demilitari[sz]ed|separation)\s+zone)", re.I)


def area_label(text: str) -> str | None:
    """The canonical name of a sector, brigade, task force, gate or zone written `text`; None for other names."""
    surface = re.sub(r"\s+", " ", text.strip())
    surface = re.sub(r"^(?:the|KFOR|KFOR's)\s+", "", surface, flags=re.I).rstrip(".")
    m = _AREA.fullmatch(surface)
    if m:
        unit_text = re.sub(r"[\s-]+", " ", m.group("unit").lower()).replace("multi national", "multinational")
        unit_text = unit_text.replace("battlegroup", "battle group")
        unit = _UNITS.get(unit_text) or _UNIT_WORDS.get(unit_text)
        direction = m.group("dir") or m.group("dir2")
        label = _DIRECTIONS.get(re.sub(r"\s+", "-", direction.lower()))
        if unit and label:
            return f"{unit} {label}"
        return None
    m = _NUMBERED.fullmatch(surface)
    if m:
        kind = " ".join(w.capitalize() for w in m.group("kind").split())
        ident = m.group("id")
        ident = _DIRECTIONS.get(ident.lower(), ident) if len(ident) > 1 else ident
        return f"{kind} {ident.upper() if len(ident) == 1 else ident.capitalize()}"
    m = _ZONE.fullmatch(surface)
    if m:
        return " ".join(w.capitalize() for w in m.group("words").split())
    return None
