"""Events: extraction from the report texts, RDF, shapes, the events query, the type scheme.

The events are read from the Doc of the one spaCy pipeline (`nlp.pipeline.load_pipeline`:
parser, lemmas, sentences and entities in one pass) and the document's entities
(`nlp.entities.read_entities`), as the build does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.build import build_dataset
from kfor_kg.extract.facts import extract
from kfor_kg.extract.records import DocumentRecord, Evidence, Period, Report
from kfor_kg.nlp.entities import read_entities
from kfor_kg.nlp.events import EventRecord, event_rules, read_events
from kfor_kg.nlp.pipeline import load_pipeline
from kfor_kg.rdf.event_graph import add_events
from kfor_kg.rdf.graph import new_dataset
from kfor_kg.rdf.iris import Minter
from kfor_kg.rdf.validate import load_ontology, validate
from kfor_kg.rdf.vocab import KFOR, OA, SEM
from kfor_kg.stores import query
from kfor_kg.text.ingest import SourceText, clean, load

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "examples" / "reports").glob("*.txt"))
EXCERPTS = sorted((ROOT / "tests" / "data" / "excerpts").glob("*_kfor_*.txt"))     # the report excerpts (not the news article)
GOLD = ROOT / "tests" / "gold" / "events"


# --- fixtures ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    """The one pipeline of the build."""
    return load_pipeline()


def read_all(records: list[DocumentRecord], nlp: Language) -> dict[str, list[EventRecord]]:
    """The events of each document, keyed by record key, read as the build reads them."""
    out = {}
    for record, doc in zip(records, nlp.pipe(r.clean.text for r in records)):
        out[record.key] = read_events(record, doc, read_entities(record, doc))
    return out


@pytest.fixture(scope="module")
def seed_records() -> list[DocumentRecord]:
    return [extract(load(p)) for p in SEEDS]


@pytest.fixture(scope="module")
def seed_docs(seed_records: list[DocumentRecord], nlp: Language) -> list[Doc]:
    return list(nlp.pipe(r.clean.text for r in seed_records))


@pytest.fixture(scope="module")
def seed_events(seed_records: list[DocumentRecord], nlp: Language) -> dict[str, list[EventRecord]]:
    return read_all(seed_records, nlp)


@pytest.fixture(scope="module")
def seed_dataset(seed_records: list[DocumentRecord], seed_events: dict[str, list[EventRecord]]) -> Dataset:
    """The build of the seeds, with the events read here (the same ones: adding them again changes nothing)."""
    minter = Minter()
    ds = build_dataset(seed_records)
    for record in seed_records:
        add_events(ds, minter, record, seed_events[record.key])
    return ds


@pytest.fixture(scope="module")
def excerpt_events(nlp: Language) -> dict[str, list[EventRecord]]:
    records = [extract(load(p)) for p in EXCERPTS]
    events = read_all(records, nlp)
    return {r.source_name: events[r.key] for r in records}


def record_of(text: str, period: tuple[dt.date, dt.date] | None = None, name: str = "test.txt",
              frequency: str | None = None) -> DocumentRecord:
    """A document record for a bare text, with a reporting period."""
    source = SourceText(Path(name), text, hashlib.sha256(text.encode()).hexdigest())
    report = Report(period=Period(period[0], period[1], Evidence(0, 1, text[0])), frequency=frequency) \
        if period else None
    return DocumentRecord(key=Path(name).stem, clean=clean(source), report=report)


def events_in(record: DocumentRecord) -> list[EventRecord]:
    doc = load_pipeline()(record.clean.text)
    return read_events(record, doc, read_entities(record, doc))


def events_of(text: str, period: tuple[dt.date, dt.date] | None = (dt.date(2020, 10, 1), dt.date(2020, 12, 31)),
              frequency: str | None = None) -> list[EventRecord]:
    return events_in(record_of(text, period, frequency=frequency))


def summary(events: list[EventRecord]) -> list[tuple[str, str | None]]:
    return [(e.type, e.date.iso if e.date else None) for e in events]


# --- the seeds against the hand-made gold -------------------------------------------


def gold_events() -> dict[str, list[dict[str, object]]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))["events"] for p in sorted(GOLD.glob("*.json"))}


def test_every_seed_has_gold() -> None:
    assert sorted(gold_events()) == sorted(p.stem for p in SEEDS)


def test_seed_events_match_the_gold(seed_records: list[DocumentRecord],
                                    seed_events: dict[str, list[EventRecord]]) -> None:
    """F1 >= 0.85 on type + date + document, each gold event matched at most once."""
    gold = gold_events()
    tp = fp = fn = 0
    for record in seed_records:
        stem = Path(record.source_name).stem
        want = Counter((g["type"], g["date"]) for g in gold[stem])
        got = Counter((e.type, e.date.iso if e.date else None) for e in seed_events[record.key])
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert f1 >= 0.85, (precision, recall, f1)


def test_arrest_transfer_and_resignation_of_2020(seed_records: list[DocumentRecord],
                                                 seed_events: dict[str, list[EventRecord]]) -> None:
    record = next(r for r in seed_records if "2020-Q4" in r.source_name)
    events = seed_events[record.key]
    arrest = next(e for e in events if e.type == "arrest")
    assert arrest.date is not None and arrest.date.iso == "2020-11-04"
    assert arrest.label == "Arrest of Jakup Krasniqi"
    assert ("Person", "jakup-krasniqi") in {(p.kind, p.key) for p in arrest.participants}
    assert arrest.trigger.text == "arrested"
    assert arrest.sentence.text.startswith("On 4 November, the Specialist Prosecutor")
    assert arrest.date_evidence is not None and arrest.date_evidence.text == "4 November"
    transfers = [e for e in events if e.type == "transfer"]
    assert [e.place.key if e.place else None for e in transfers] == ["the-hague", "the-hague"]
    assert [e.date.iso if e.date else None for e in transfers] == ["2020-11-04", None]
    resignation = next(e for e in events if e.type == "resignation")
    assert resignation.date is not None and resignation.date.iso == "2020-11-05"
    assert [p.key for p in resignation.participants] == ["hashim-thaci"]


def test_the_day_after_counts_back_from_the_talks(seed_records: list[DocumentRecord],
                                                  seed_events: dict[str, list[EventRecord]]) -> None:
    record = next(r for r in seed_records if "2007-09" in r.source_name)
    meetings = [e for e in seed_events[record.key] if e.type == "meeting"]
    dates = {e.trigger.text: e.date.iso for e in meetings if e.date}
    assert dates["talks"] == "2007-09-28"
    contact_group = next(e for e in meetings if "Contact Group" in e.label)
    assert contact_group.date is not None and contact_group.date.iso == "2007-09-27"
    assert contact_group.date_evidence is not None and contact_group.date_evidence.text == "the day after"
    london = next(e for e in meetings if e.place and e.place.label == "London")
    assert london.date is not None and (london.date.start, london.date.end) == (
        dt.date(2007, 9, 18), dt.date(2007, 9, 19))


def test_evidence_quotes_the_original_file(seed_records: list[DocumentRecord],
                                           seed_events: dict[str, list[EventRecord]]) -> None:
    for record in seed_records:
        original = record.clean.source.original
        for e in seed_events[record.key]:
            for ev in (e.trigger, e.sentence, e.date_evidence):
                if ev is not None:
                    assert original[ev.start:ev.end] == ev.text
            assert e.sentence.start <= e.trigger.start < e.trigger.end <= e.sentence.end
            assert not re.match(r"\d+\.\s", e.sentence.text)


# --- what is and is not an event ------------------------------------------------------


def test_partial_dates_take_the_report_year() -> None:
    events = events_of("On 4 November, the police arrested Jakup Krasniqi in Pristina.")
    assert summary(events) == [("arrest", "2020-11-04")]
    assert events[0].place is not None and events[0].place.label == "Pristina"


def test_negation_must_govern_the_trigger() -> None:
    # "No one" negates the injuring, not the attack the sentence reports.
    events = events_of("On 4 November, no one was injured in the attack on the KFOR patrol.")
    assert summary(events) == [("attack", "2020-11-04")]
    assert summary(events_of("On 4 November, the attack on the KFOR patrol did not take place.")) == []


def roles_of(event: EventRecord) -> list[tuple[str, str]]:
    return [(p.role, p.ref.label) for p in event.roles]


@pytest.mark.parametrize("text, expected", [
    ("On 4 November, the Kosovo Police arrested Hashim Thaçi in Pristina.",
     [("agent", "Kosovo Police"), ("patient", "Hashim Thaçi")]),
    ("On 4 November, Hashim Thaçi was arrested by the Kosovo Police.",
     [("patient", "Hashim Thaçi"), ("agent", "Kosovo Police")]),
    ("On 4 November, there was an attack on the Kosovo Police in Pristina.",
     [("patient", "Kosovo Police")]),
])
def test_participants_have_roles(text: str, expected: list[tuple[str, str]]) -> None:
    events = events_of(text)
    assert len(events) == 1
    assert roles_of(events[0]) == expected
    # Each participant comes with the words that name it.
    for p in events[0].roles:
        assert p.words.text in text


def test_every_place_of_a_listing_is_kept() -> None:
    events = events_of("On 4 November, demonstrations took place in Pristina, Gjilan and Prizren.")
    assert summary(events) == [("demonstration", "2020-11-04")]
    places = [events[0].place.label if events[0].place else None, *(p.label for p in events[0].other_places)]
    assert sorted(filter(None, places)) == ["Gjilan", "Prishtina" if "Prishtina" in places else "Pristina", "Prizren"]


def test_last_month_in_a_monthly_report() -> None:
    events = events_of("The owner was involved in the killing of a police officer last month.",
                       (dt.date(2007, 9, 1), dt.date(2007, 9, 30)), frequency="monthly")
    assert summary(events) == [("attack", "2007-08")]


@pytest.mark.parametrize("text", [
    "No security incidents were reported and no demonstrations took place.",
    "There were no major changes in deployment since the last report.",
    "The meeting of the two delegations did not take place.",
    "Approximately 35,000 troops are currently deployed in the theatre.",
    "The phase ended, with all headquarters and forces deployed and fully capable.",
    "A total of 308 incidents related to drugs (23), counterfeit currency (25), smuggling (8), explosions (3) "
    "and unexploded ordnance (52) were reported during this period.",
    "The incidents reported include two firearms attacks against Kosovo Serb property.",
    "Several demonstrations were held in the north.",
    "KFOR remains prepared to react to potential disturbances and to any attack.",
    "KFOR would respond forcefully to any attempt to disrupt the elections.",
    "KFOR conducts exercises with the Kosovo Police.",
    "KFOR activities demonstrated KFOR capability as a third security responder.",
    "There were approximately 44,800 troops deployed in the theatre.",
    "The implementation of the agreement continues to have a positive impact.",
    "The situation remained tense, with sporadic incidents, including shootings and explosions.",
    "The Kosovo Police remained the first responder to demonstrations.",
    "KFOR conducted joint exercises with EULEX and the Kosovo Police.",
    "KFOR remained ready to support the Kosovo Police in case of demonstrations.",
    "Municipal elections will be held on 3 November.",
    "Elections are scheduled for 3 November.",
    "No arrests were made.",
    "The police made 12 arrests.",
    "The perpetrators have not been arrested.",
    "KFOR met all its requirements.",
    "The situation remained calm, and there were no demonstrations or roadblocks.",
])
def test_not_an_event(text: str) -> None:
    assert events_of(text) == []


def test_the_election_period_is_no_election() -> None:
    assert summary(events_of("KFOR deployed additional reserves during the election period.")) == [
        ("deployment", None)]


@pytest.mark.parametrize("text, expected", [
    ("The three individuals were subsequently transferred to The Hague.", [("transfer", None)]),
    ("On 4 July 2008, 20 Kosovo Serbs and 20 Kosovo Albanians demonstrated against a water-pipe project.",
     [("demonstration", "2008-07-04")]),
    ("On 3 July 2008, an explosion occurred at the local market in Uroševac.", [("explosion", "2008-07-03")]),
    ("Following the elections held on 6 October 2019, no significant security incidents were reported.",
     [("election", "2019-10-06")]),
    ("On 19 August, two hand grenades were thrown into a basketball court.", [("attack", "2020-08-19")]),
    ("The Agreement reached by Belgrade and Pristina on 19 April 2013 continues to have a positive impact.",
     [("agreement", "2013-04-19")]),
    ("Shots were fired at a KFOR patrol near Zubin Potok on 2 December.", [("shooting", "2020-12-02")]),
])
def test_events_in_sentences(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert summary(events_of(text, (dt.date(2020, 7, 1), dt.date(2020, 12, 31)))) == expected


def test_named_exercises_and_long_deployments() -> None:
    events = events_of("KFOR conducted Exercise Silver Sabre from 5 to 9 September. The Operational Reserve "
                       "Force battalion was deployed to northern Kosovo from 1 to 28 August.",
                       (dt.date(2011, 7, 1), dt.date(2011, 9, 30)))
    assert summary(events) == [("exercise", "2011-09-05"), ("deployment", "2011-08-01")]
    assert events[0].label == "Exercise Silver Sabre"
    assert events[0].date is not None and events[0].date.end == dt.date(2011, 9, 9)


def test_the_same_attack_told_twice() -> None:
    events = events_of("On 29 July, UNMIK police were attacked on the road between Decane and Pec. "
                       "The police were attacked by a crowd of around 100 people.",
                       (dt.date(2000, 7, 23), dt.date(2000, 8, 22)))
    assert summary(events) == [("attack", "2000-07-29")]


def test_a_definite_mention_refers_back() -> None:
    events = events_of("KFOR organized a medical evacuation exercise in July 2017. "
                       "The exercise successfully tested the interoperability of KFOR and EULEX.",
                       (dt.date(2017, 7, 1), dt.date(2017, 9, 30)))
    assert summary(events) == [("exercise", "2017-07")]


def test_a_conference_the_delegates_met_for_is_one_meeting() -> None:
    events = events_of("Representatives from 37 countries met in Brussels on 11 July 2008 for an "
                       "international donors' conference. The conference obtained pledges.",
                       (dt.date(2008, 7, 1), dt.date(2008, 7, 31)))
    assert summary(events) == [("meeting", "2008-07-11")]
    assert events[0].place is not None and events[0].place.label == "Brussels"


def test_after_clauses_keep_their_own_time() -> None:
    events = events_of("On 5 November, the President, Hashim Thaci, submitted his resignation after the "
                       "Chambers confirmed the indictment filed against him.")
    assert summary(events) == [("resignation", "2020-11-05"), ("indictment", None)]


def test_odd_texts_do_not_break_the_extractor() -> None:
    for text in ["x", "1.", "(Signed)\n\n\n", "On 31 February 2020, talks", "the day after the meeting.",
                 "Meeting" * 50, "No. No. No."]:
        for events in (events_of(text), events_of(text, None)):
            for event in events:
                assert text[event.trigger.start:event.trigger.end] == event.trigger.text


report_words = st.sampled_from([
    "On", "4", "November", "no", "the", "The", "day", "after", "meeting", "arrested", "elections", "were", "held",
    "in", "Pristina", "KFOR", "two", "attacks", "(3)", ",", ".", "\n", "last", "month", "talks", "transferred",
    "to", "The Hague", "exercise", "would", "demonstrated", "deployment", "of", "agreement", "2008", "mid-July",
    "1.", "(", ")", "Mr.", "Thaci", "resigned", "explosion", "shots", "fired", "and", "between", "18", "19",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(report_words, min_size=1, max_size=30), monthly=st.booleans())
def test_never_crashes_on_report_like_text(words: list[str], monthly: bool) -> None:
    text = " ".join(words)
    if not text.strip():
        return
    period = (dt.date(2008, 7, 1), dt.date(2008, 7, 31) if monthly else dt.date(2008, 9, 30))
    record = record_of(text, period)
    for e in events_in(record):
        original = record.clean.source.original
        assert original[e.trigger.start:e.trigger.end] == e.trigger.text
        assert e.sentence.start <= e.trigger.start and e.trigger.end <= e.sentence.end
        assert e.type in event_rules().types and e.label


def test_places_and_participants_are_the_documents_mentions() -> None:
    """Events take people, organizations and places only from the entity mentions they are given."""
    record = record_of("On 4 November, the Specialist Prosecutor's Office arrested Jakup Krasniqi, "
                       "who was then transferred to The Hague.", (dt.date(2020, 10, 1), dt.date(2020, 12, 31)))
    text = record.clean.text
    doc = load_pipeline()(text)

    def mention(kind: str, key: str, surface: str) -> SimpleNamespace:
        start = text.index(surface)
        return SimpleNamespace(type=kind, key=key, start=start, end=start + len(surface))

    bare = read_events(record, doc, SimpleNamespace(mentions=[]))
    assert summary(bare) == [("arrest", "2020-11-04"), ("transfer", "2020-11-04")]
    assert all(e.place is None and not e.participants for e in bare)
    named = read_events(record, doc, SimpleNamespace(mentions=[
        mention("Person", "jakup-krasniqi", "Jakup Krasniqi"), mention("Place", "the-hague", "The Hague")]))
    assert summary(named) == summary(bare)
    assert named[1].place is not None and (named[1].place.kind, named[1].place.key) == ("Place", "the-hague")
    assert [p.key for p in named[0].participants] == ["jakup-krasniqi"]
    assert named[0].label == "Arrest of Jakup Krasniqi"


def test_reading_is_deterministic_and_keeps_no_state(seed_records: list[DocumentRecord], seed_docs: list[Doc],
                                                     seed_events: dict[str, list[EventRecord]]) -> None:
    """Read again, in reverse order, each document gives the same events: nothing is kept between calls."""
    pairs = list(zip(seed_records, seed_docs))
    again = {r.key: read_events(r, d, read_entities(r, d)) for r, d in reversed(pairs)}
    assert again == seed_events


def test_a_documents_events_do_not_depend_on_the_others(seed_records: list[DocumentRecord], nlp: Language,
                                                        seed_events: dict[str, list[EventRecord]]) -> None:
    """A seed parsed and read on its own has the events it has in the build of all five."""
    record = next(r for r in seed_records if "2007-09" in r.source_name)
    assert read_all([record], nlp)[record.key] == seed_events[record.key]


# --- the dev excerpts: sensible events ---------------------------------------------------


def test_dev_excerpts(excerpt_events: dict[str, list[EventRecord]]) -> None:
    july_2008 = summary(excerpt_events["09_kfor_2008-07_S2008-638.txt"])
    assert july_2008 == [("meeting", "2008-07-11"), ("arrest", "2008-07-21"), ("explosion", "2008-07-03"),
                         ("demonstration", "2008-07-04")]
    assert summary(excerpt_events["11_kfor_2016-Q2_stoltenberg.txt"]) == [("agreement", "2013-04-19")]
    august_2000 = summary(excerpt_events["02_kfor_2000-08_annan.txt"])
    for dated in [("attack", "2000-08-02"), ("attack", "2000-08-19"), ("attack", "2000-07-29")]:
        assert dated in august_2000
    assert ("deployment", None) not in august_2000      # "troops deployed in the theatre" is a state


# --- RDF ------------------------------------------------------------------------------------


def test_events_in_rdf(seed_records: list[DocumentRecord], seed_dataset: Dataset,
                       seed_events: dict[str, list[EventRecord]]) -> None:
    minter = Minter()
    record = next(r for r in seed_records if "2020-Q4" in r.source_name)
    doc = minter.document(record.key)
    graph = seed_dataset.graph(Minter.document_graph(doc))
    arrest = next(e for e in seed_events[record.key] if e.type == "arrest")
    node = URIRef(f"{doc}/event/arrest-{arrest.trigger.start}")
    assert (node, RDF.type, KFOR.Event) in graph
    assert graph.value(node, SEM.eventType) == KFOR.Arrest
    assert graph.value(node, KFOR.date) == Literal("2020-11-04", datatype=XSD.date)
    assert graph.value(node, KFOR.inDocument) == doc
    assert graph.value(node, RDFS.label) == Literal("Arrest of Jakup Krasniqi")
    assert (node, SEM.hasActor, minter.entity("Person", "jakup-krasniqi")) in graph
    span = graph.value(node, KFOR.evidence)
    assert span == Minter.span(doc, arrest.sentence.start, arrest.sentence.end)
    position = URIRef(f"{span}/position")
    quote = URIRef(f"{span}/quote")
    assert graph.value(position, OA.start).toPython() == arrest.sentence.start
    assert graph.value(position, OA.end).toPython() == arrest.sentence.end
    assert str(graph.value(quote, OA.exact)) == record.clean.source.original[
        arrest.sentence.start:arrest.sentence.end]
    trigger = graph.value(node, KFOR.trigger)
    assert str(graph.value(URIRef(f"{trigger}/quote"), OA.exact)) == "arrested"


def test_month_dates_in_rdf(seed_records: list[DocumentRecord], seed_dataset: Dataset) -> None:
    months = [o for _, _, o, _ in seed_dataset.quads((None, KFOR.month, None, None))]
    assert sorted(str(o) for o in months) == ["2007-08", "2017-07"]
    assert all(o.datatype == XSD.gYearMonth for o in months)


def test_no_blank_nodes_and_same_graph_twice(seed_records: list[DocumentRecord],
                                             seed_events: dict[str, list[EventRecord]]) -> None:
    minter = Minter()
    first, second = new_dataset(minter), new_dataset(minter)
    for record in seed_records:
        add_events(first, minter, record, seed_events[record.key])
        add_events(second, minter, record, seed_events[record.key])
        add_events(second, minter, record, seed_events[record.key])
    quads = set(first.quads((None, None, None, None)))
    assert quads == set(second.quads((None, None, None, None)))
    assert not any(isinstance(t, BNode) for q in quads for t in q[:3])


def test_the_seed_graph_conforms(seed_dataset: Dataset) -> None:
    outcome = validate(seed_dataset)
    assert outcome.conforms, [(r.focus_node, r.path, r.message) for r in outcome.results][:5]


def test_the_shapes_catch_bad_events(seed_records: list[DocumentRecord], seed_dataset: Dataset) -> None:
    bad = Dataset()
    for quad in seed_dataset.quads((None, None, None, None)):
        bad.add(quad)
    event, graph = next((q[0], bad.graph(q[3])) for q in bad.quads((None, RDF.type, KFOR.Event, None))
                        if "/event/arrest-" in str(q[0]))
    graph.add((event, KFOR.month, Literal("2020-11", datatype=XSD.gYearMonth)))
    graph.add((event, SEM.eventType, KFOR.Document))
    graph.remove((event, KFOR.evidence, None))
    outcome = validate(bad)
    assert not outcome.conforms
    messages = " ".join(r.message for r in outcome.results if r.focus_node == event)
    assert "one precision" in messages and "exactly one type" in messages and "one sentence" in messages


# --- the events query -------------------------------------------------------------------------


def test_events_query(seed_dataset: Dataset) -> None:
    spec = query.load_query("events")
    assert spec.text.startswith("#")
    assert "Columns: event, type, date, place, label, doc, participants, places" in spec.text
    assert "GRAPH" not in spec.text.upper().replace("GRAPHS", "")
    result = query.run_local(spec, seed_dataset)
    # The first six columns are the contract; participants and places were added at the end.
    assert result.columns == ["event", "type", "date", "place", "label", "doc", "participants", "places"]
    rows = result.rows
    assert len(rows) == len({q[0] for q in seed_dataset.quads((None, RDF.type, KFOR.Event, None))})
    assert len({r[0] for r in rows}) == len(rows)
    notations = set(event_rules().types)
    assert all(r[1] in notations for r in rows)
    assert all(re.fullmatch(r"|\d{4}(-\d{2}(-\d{2})?)?", r[2]) for r in rows)
    assert rows == sorted(rows, key=lambda r: (r[5], r[2], r[0]))
    krasniqi = next(r for r in rows if r[4] == "Transfer of Jakup Krasniqi to The Hague")
    assert krasniqi[1:4] == ["transfer", "2020-11-04", "The Hague"]
    assert krasniqi[5].endswith("/doc/letter-2021-03-05")
    assert krasniqi[6:] == ["patient: Jakup Krasniqi", "The Hague"]
    arrest = next(r for r in rows if r[4] == "Arrest of Jakup Krasniqi")
    assert "agent: Specialist Prosecutor's Office" in arrest[6].split("; ")


# --- the type scheme ------------------------------------------------------------------------------


def test_event_type_scheme() -> None:
    ontology = load_ontology()
    concepts = set(ontology.subjects(SKOS.inScheme, KFOR.EventTypeScheme))
    assert len(concepts) == 13
    for concept in concepts:
        assert ontology.value(concept, SKOS.prefLabel) is not None
        assert ontology.value(concept, SKOS.definition) is not None
        notation = str(ontology.value(concept, SKOS.notation))
        assert re.fullmatch(r"[a-z]+", notation) and notation == str(concept).rsplit("#", 1)[1].lower()
    rules = event_rules()
    assert {KFOR[t.concept] for t in rules.types.values()} == concepts
    assert {str(ontology.value(KFOR[t.concept], SKOS.notation)) for t in rules.types.values()} == set(rules.types)
    for prop in (KFOR.date, KFOR.endDate, KFOR.month, KFOR.year, KFOR.trigger, KFOR.Event):
        assert ontology.value(prop, RDFS.label) is not None and ontology.value(prop, RDFS.comment) is not None


def test_every_trigger_names_a_known_type() -> None:
    with (ROOT / "kfor_kg" / "data" / "event_patterns.toml").open("rb") as f:
        raw = tomllib.load(f)
    assert {t["type"] for t in raw["trigger"]} == set(raw["types"])


def test_docstring_examples() -> None:
    import doctest

    import kfor_kg.nlp.events.reader

    outcome = doctest.testmod(kfor_kg.nlp.events.reader)
    assert outcome.attempted > 0 and outcome.failed == 0


def test_coreference_needs_a_compatible_place() -> None:
    text = ("On 4 November, UNMIK police were attacked in Pristina. "
            "The police were attacked by a crowd in Prizren.")
    events = events_of(text)
    assert [e.type for e in events] == ["attack", "attack"]
    assert [e.place.label if e.place else None for e in events] == ["Pristina", "Prizren"]
    same = events_of("On 4 November, UNMIK police were attacked in Pristina. The police were attacked by a crowd.")
    assert [e.type for e in same] == ["attack"]


def test_a_sentence_citing_two_resolutions_is_no_summary() -> None:
    text = "On 4 November, under resolutions 1160 (1998) and 1244 (1999), KFOR arrested Hashim Thaçi."
    assert summary(events_of(text)) == [("arrest", "2020-11-04")]
    counted = "A total of 308 incidents related to drugs (23), smuggling (8) and explosions (3) were reported."
    assert events_of(counted) == []


def test_an_event_told_as_immediately_after_takes_the_date_before() -> None:
    text = ("On 10 November, KFOR arrested Hashim Thaçi near Prizren. "
            "He was immediately transferred to The Hague. He was later transferred to Pristina.")
    assert summary(events_of(text)) == [("arrest", "2020-11-10"), ("transfer", "2020-11-10"), ("transfer", None)]


def test_a_purpose_is_no_event() -> None:
    text = "On 10 November, KFOR approached the house for the purpose of detaining him."
    assert [e.type for e in events_of(text)] == []


def test_firing_at_someone_is_a_shooting() -> None:
    assert summary(events_of("On 4 November, a gunman fired at a KFOR patrol near Zubin Potok.")) == [
        ("shooting", "2020-11-04")]
    assert summary(events_of("On 4 November, the board fired the director of the company.")) == []


def test_every_place_of_a_listing_is_kept_whichever_is_the_event_place() -> None:
    events = events_of("In Gnjilane, Peć and Đakovica, demonstrations took place on 23 November.")
    assert summary(events) == [("demonstration", "2020-11-23")]
    places = {events[0].place.label if events[0].place else "", *(p.label for p in events[0].other_places)}
    assert places == {"Gjilan", "Peja", "Gjakova"}


def test_the_event_a_clause_is_based_on_does_not_take_its_date() -> None:
    text = ("On 10 November, on the basis of an indictment issued by the Specialist Chambers, "
            "the police arrested Hashim Thaçi in Pristina.")
    assert summary(events_of(text)) == [("indictment", None), ("arrest", "2020-11-10")]


def test_an_attack_label_names_its_victims_as_such() -> None:
    events = events_of("On 2 November, three Romas were attacked in Pristina.")
    assert [e.label for e in events] == ["Attack on three Romas in Pristina"]


def test_coreference_needs_a_compatible_date() -> None:
    text = ("On 4 November, UNMIK police were attacked in Pristina. "
            "On 9 November, the police were attacked by a crowd.")
    assert summary(events_of(text)) == [("attack", "2020-11-04"), ("attack", "2020-11-09")]
    # A date of a side clause ("as reported on ...") is not the event's: still the same attack.
    told_again = ("On 4 November, UNMIK police were attacked in Pristina. "
                  "The police were attacked by a crowd, as reported on 9 November.")
    assert summary(events_of(told_again)) == [("attack", "2020-11-04")]
