"""The one table of roles and offices: office phrases, roles in running text, post labels."""

from __future__ import annotations

import re

import pytest

from kfor_kg.extract.records import Office
from kfor_kg.lexicon.offices import office_pattern, parse_office, post_label, roles


@pytest.mark.parametrize("phrase,office", [
    ("Secretary-General", Office("Secretary-General", "united-nations")),
    ("Secretary General of the North Atlantic Treaty Organization", Office("Secretary-General", "nato")),
    ("NATO Secretary  General", Office("Secretary-General", "nato")),
    ("Deputy Secretary General of NATO", Office("Deputy Secretary-General", "nato")),
    ("Acting Secretary General of NATO", Office("Acting Secretary-General", "nato")),
    ("President of the Security Council", Office("President", "united-nations-security-council")),
    ("Permanent Representative of France to the United Nations",
     Office("Permanent Representative", "france")),             # a post of the state, at the UN
    ("Permanent Mission of France to the United Nations", Office("Permanent Mission", "france")),
    ("Office of the Secretary-General, United Nations Secretariat",
     Office("Office of the Secretary-General", "united-nations")),
    ("SECRETARY-GENERAL OF THE NORTH ATLANTIC TREATY ORGANISATION", Office("Secretary-General", "nato")),
    ("Secretary-General of the Kosovo Force", None),
    ("", None),
])
def test_parse_office(phrase: str, office: Office | None) -> None:
    assert parse_office(phrase) == office


def test_the_office_pattern_finds_the_longest_office_in_a_heading() -> None:
    heading = re.compile(f"from the ({office_pattern()}) addressed to the ({office_pattern()})")
    m = heading.search("Letter dated 1 May 2019 from the Deputy Secretary-General of NATO addressed to "
                       "the President of the Security Council")
    assert m is not None
    assert [parse_office(g) for g in m.groups()] == [
        Office("Deputy Secretary-General", "nato"), Office("President", "united-nations-security-council")]


def test_roles_read_in_running_text() -> None:
    by_label = {r.label: r for r in roles()}
    sg = by_label["Secretary-General"]
    # Folded token sequences, longest first: "Secretary General" and "Secretary-General".
    assert ("secretary", "-", "general") in sg.words and ("secretary", "general") in sg.words
    assert [len(w) for w in sg.words] == sorted((len(w) for w in sg.words), reverse=True)
    assert sg.organization is None
    assert by_label["Special Representative of the Secretary-General"].organization == "united-nations"
    assert ("srsg",) in by_label["Special Representative of the Secretary-General"].words
    # Offices of letter headings are not roles of running text.
    assert "Permanent Representative" not in by_label


def test_post_label() -> None:
    assert post_label("Secretary-General", "North Atlantic Treaty Organization") == \
        "Secretary-General of the North Atlantic Treaty Organization"
    assert post_label("President", "Kosovo", "Place") == "President of Kosovo"


def test_docstring_examples() -> None:
    import doctest

    import kfor_kg.lexicon.offices

    assert doctest.testmod(kfor_kg.lexicon.offices).failed == 0
