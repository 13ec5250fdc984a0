"""Places, people and organizations on text like unseen reports (issue 10): the gazetteer, the
area grammar, misspellings, person-shaped names, flat organization names, damaged characters."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.lexicon.gazetteer import GAZETTEER_FILES, alias_table
from kfor_kg.nlp.entities import read_entities
from kfor_kg.nlp.entity_model import DocumentEntities
from kfor_kg.nlp.pipeline import load_pipeline
from kfor_kg.nlp.places import area_label
from kfor_kg.resources import data_file
from kfor_kg.text.ingest import SourceText, clean


def entities_of(text: str) -> DocumentEntities:
    source = SourceText(path=Path("doc.txt"), original=text, sha256="0" * 64)
    rec = DocumentRecord(key="doc", clean=clean(source))
    return read_entities(rec, load_pipeline()(rec.clean.text))


def things(found: DocumentEntities, kind: str) -> set[str]:
    return {e.label for e in found.entities.values() if e.type == kind}


# --- the place gazetteer ---------------------------------------------------------------------


def test_place_rows_say_what_they_are_and_where_they_come_from() -> None:
    assert "places.tsv" in GAZETTEER_FILES
    rows = [r for r in csv.reader(data_file("places.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t")
            if r and not r[0].startswith("#")]
    assert len(rows) > 150
    for row in rows:
        assert len(row) == 6, row
        kind, key, label, _aliases, cls, source = row
        assert kind == "Place" and key and label
        assert cls in {"country", "region", "municipality", "town", "village", "crossing", "monastery",
                       "bridge", "camp", "river", "area"}, row
        assert source.strip(), row


@pytest.mark.parametrize("serbian, albanian", [
    ("Peć", "Pejë"), ("Uroševac", "Ferizaj"), ("Đakovica", "Gjakova"), ("Djakovica", "Gjakovë"),
    ("Kosovska Mitrovica", "Mitrovicë"), ("Gnjilane", "Gjilan"), ("Suva Reka", "Suharekë"),
    ("Štrpce", "Shtërpcë"), ("Glogovac", "Drenas"), ("Srbica", "Skenderaj"),
])
def test_serbian_and_albanian_forms_are_one_place(serbian: str, albanian: str) -> None:
    table = alias_table()
    a, b = table.lookup("Place", serbian), table.lookup("Place", albanian)
    assert a is not None and a == b


@pytest.mark.parametrize("misspelled, key", [
    ("Prizern", "prizren"), ("Urosevc", "ferizaj"), ("Leposavik", "leposavic"), ("United Nation", "united-nations"),
])
def test_misspellings_match_the_gazetteer(misspelled: str, key: str) -> None:
    kind = "Organization" if " " in misspelled else "Place"
    found = alias_table().fuzzy(kind, misspelled)
    assert found is not None and found.key == key


@pytest.mark.parametrize("word", ["Serbian", "Albanian", "Kosovar", "Kosovo"])
def test_derived_words_and_exact_names_are_no_misspellings(word: str) -> None:
    found = alias_table().fuzzy("Place", word)
    assert found is None or found.key == "kosovo" and word == "Kosovo"


# --- KFOR's areas: a grammar -----------------------------------------------------------------


@pytest.mark.parametrize("surface, label", [
    ("Multinational Brigade (MNB) (Centre)", "Multinational Brigade Centre"),
    ("MNB (West)", "Multinational Brigade West"),
    ("MNB-S", "Multinational Brigade South"),
    ("Multinational Task Force East", "Multinational Task Force East"),
    ("MNTF (North)", "Multinational Task Force North"),
    ("Multi-National Battle Group East", "Multinational Battle Group East"),
    ("MNBG-E", "Multinational Battle Group East"),
    ("Regional Command North", "Regional Command North"),
    ("Multinational Brigade Center", "Multinational Brigade Centre"),
    ("Sector B", "Sector B"),
    ("Gate 7", "Gate 7"),
    ("Crossing Point 3", "Crossing Point 3"),
    ("Ground Safety Zone", "Ground Safety Zone"),
])
def test_area_names_are_one_place_whatever_their_shape(surface: str, label: str) -> None:
    assert area_label(surface) == label


def test_areas_are_found_in_text() -> None:
    found = entities_of(
        "Incidents were reported in Obilic (Multinational Brigade (MNB) (Centre)) and near Banja (MNB (West)). "
        "Later, MNB (Centre) reported calm, as did Multinational Task Force North and MNTF-E. "
        "The patrol crossed Sector B of the Ground Safety Zone at Gate 31.\n")
    places = things(found, "Place")
    assert {"Multinational Brigade Centre", "Multinational Brigade West", "Multinational Task Force North",
            "Multinational Task Force East", "Sector B", "Ground Safety Zone"} <= places
    assert "Brnjak" in places       # Gate 31 is the gazetteer's Brnjak
    assert not things(found, "Organization") & {"Multinational Brigade", "MNB"}


def test_villages_the_model_does_not_know_are_places() -> None:
    found = entities_of("Kosovo Serbs and Kosovo Albanians demonstrated in Suvi Do and Crkvena Vodica.\n")
    assert {"Suvi Do", "Crkvena Vodica"} <= things(found, "Place")


# --- people: person-shaped names, titles, damaged characters ------------------------------------------


def test_a_person_needs_a_person_shaped_name() -> None:
    found = entities_of("Monthly report to the Security Council\n"
                        "(Signed) The Rt. Hon. Lord Robertson\n"
                        "The Parties are compliant with the provisions of the Peac")
    people = things(found, "Person")
    assert "George Robertson" in people         # the signatory is found ...
    assert not people & {"Monthly", "Rt", "Peac", "Rt Hon"}     # ... and nothing else as a person


def test_a_plural_title_names_every_listed_person() -> None:
    found = entities_of("Ministers Jeremić and Šutanovac remain at the head of their ministries.\n")
    assert {"Jeremic", "Sutanovac"} <= {e.label for e in found.entities.values() if e.type == "Person"}


def test_names_with_a_lost_character_are_repaired_and_warned() -> None:
    text = ("Serbia's parliament approved a new Government, led by Prime Minister Mirko Cvetkovi? and the "
            "Socialists.\nThe arrest of Radovan Karadži? was announced.\n")
    found = entities_of(text)
    assert {"Mirko Cvetkovic", "Radovan Karadzic"} <= things(found, "Person")
    damaged = [m for m in found.mentions if "?" in m.text]
    assert damaged and all(m.warning and m.text.endswith("?") for m in damaged)   # kept whole, flagged


# --- organizations: flat names -----------------------------------------------------------------------


def test_head_of_name_is_one_organization() -> None:
    found = entities_of(
        "The Permanent Mission of France to the United Nations presents its compliments. "
        "The Permanent Mission of France transmits the report of the Government of the French Republic.\n")
    orgs = things(found, "Organization")
    assert "Permanent Mission of France to the United Nations" in orgs
    assert "Permanent Mission of France" not in orgs          # the leading part joins the full name
    assert "Government of the French Republic" in orgs
    assert "France" not in things(found, "Place")              # inside a flat name


def test_operations_are_no_entities_and_a_named_force_is_an_organization() -> None:
    text = "SFOR continued Operation Harvest in the area, and the French force Sangaris deployed in Bangui.\n"
    # The model tags the operation (else this test would not exercise the rule that drops it).
    assert "Operation Harvest" in {e.text for e in load_pipeline()(text).ents}
    found = entities_of(text)
    assert "Operation Harvest" not in {m.text for m in found.mentions}
    assert "Sangaris" in things(found, "Organization")


# --- posts in appositions, with ranks ----------------------------------------------------------------


@pytest.mark.parametrize("text, person, role, organization", [
    ("On 3 March, the Kosovo Prime Minister, Hashim Thaci, met the press.", "hashim-thaci", "Prime Minister",
     ("Place", "kosovo")),
    ("Hashim Thaci, the Kosovo Prime Minister, attended.", "hashim-thaci", "Prime Minister", ("Place", "kosovo")),
    ("The Special Representative of the Secretary-General, Lamberto Zannier, visited Mitrovica.",
     "lamberto-zannier", "Special Representative of the Secretary-General", ("Organization", "united-nations")),
    ("KFOR Commander Lieutenant General Giuseppe Emilio Gay met the press.", "giuseppe-emilio-gay", "Commander",
     ("Organization", "kfor")),
    ("Major General Özkan Ulutaş, the KFOR Commander, visited the base.", "ozkan-ulutas", "Commander",
     ("Organization", "kfor")),
    ("Serbian Foreign Minister Vuk Jeremić spoke.", "vuk-jeremic", "Minister of Foreign Affairs", ("Place", "serbia")),
    ("NATO Secretary General Jens Stoltenberg said so.", "jens-stoltenberg", "Secretary-General",
     ("Organization", "nato")),
])
def test_posts_in_appositions_with_ranks(text: str, person: str, role: str, organization: tuple[str, str]) -> None:
    found = entities_of(text + "\n")
    assert [(h.person, h.role, h.organization) for h in found.posts] == [(person, role, organization)]
    assert all(h.evidence.text in text for h in found.posts)


def test_lines_in_another_script_give_no_entities() -> None:
    found = entities_of("Совет Безопасности Организации Объединенных Наций\n\n"
                        "The Security Council met in Pristina.\n")
    assert {m.text for m in found.mentions} == {"Security Council", "Pristina"}
    assert all(m.evidence.start > 50 for m in found.mentions)     # none on the first line



def test_a_church_as_institution_is_an_organization_a_church_building_a_place() -> None:
    found = entities_of("The Serbian Orthodox Church protested after the St. Nicholas Church in Pristina was damaged.\n")
    assert "Serbian Orthodox Church" in things(found, "Organization")
    assert "St Nicholas Church" in things(found, "Place")


def test_place_keys_are_the_slugs_of_their_labels() -> None:
    from kfor_kg.rdf.iris import slug

    rows = [line.split("\t") for line in data_file("places.tsv").read_text(encoding="utf-8").splitlines()
            if line.startswith("Place\t")]
    assert all(key == slug(label) for _kind, key, label, *_ in rows)
    assert len({key for _kind, key, *_ in rows}) == len(rows)


def test_directional_sectors_and_the_boundary_line() -> None:
    assert area_label("Sector Center") == "Sector Centre"
    found = entities_of("KFOR patrolled Sector North along the Administrative Boundary Line (ABL).\n")
    assert {"Sector North", "Administrative Boundary Line"} <= things(found, "Place")


def test_a_name_at_the_end_of_a_sentence_or_wrapped_over_two_lines_is_a_person() -> None:
    for text in ["The Commander met Jakup Krasniqi.\n", "The Commander met with Jakup\nKrasniqi in the town.\n"]:
        assert "Jakup Krasniqi" in things(entities_of(text), "Person"), text


def test_letterheads_headings_and_labels_do_not_run_into_the_next_line() -> None:
    found = entities_of("North Atlantic Council\nBoulevard Leopold III, 1110 Brussels, Belgium\nTel: +32 2 707 4111\n\n"
                        "Republic\nSecurity Situation in Kosovo\n1. The situation in Kosovo was calm.\n")
    names = {e.label for e in found.entities.values()}
    assert "North Atlantic Council" in things(found, "Organization")
    assert not any("Boulevard" in n or "Tel" in n or "Republic" in n for n in names), names


def test_a_village_the_model_takes_for_an_organization_is_a_place_after_in_or_near() -> None:
    found = entities_of("Two houses were burned near Dobratin. Talks in Parliament and in UNMIK continued.\n")
    assert "Dobratin" in things(found, "Place")
    assert "Parliament" not in things(found, "Place")
