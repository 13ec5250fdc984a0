"""Entity mentions → canonical entities → RDF.

`annotate` runs the spaCy pipeline (kfor_kg.nlp.pipeline) over every document at once
and turns what it finds into one canonical thing per real-world person,
organization, place and resolution across all documents:

- names the alias table knows (data/aliases.tsv) take its key and label,
  whatever their case, diacritics or honorific;
- "Long Form (ACRONYM)" pairs learned from any document join the acronym and
  its long form everywhere;
- people: middle initials are ignored, first names that differ by one letter
  with the same surname join ("Hasim"/"Hashim"), and a lone surname
  ("Prime Minister Thaci") joins the full name the documents support (the same
  document first, else the only one in the corpus);
- other names join when they match without case, diacritics and a leading
  "the"; the type most of their mentions got wins.

Posts as stated ("the President of Kosovo, Hasim Thaci") are read around the
people mentioned, with the roles of data/roles.tsv.

`add_entity_layer` writes the result as RDF (docs/model.md): canonical nodes
into the shared graph, mentions (text spans with position and quote
selectors, `kfor:refersTo`), their sentences and posts-as-stated into each
document's graph. No blank nodes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from spacy.language import Language
from spacy.tokens import Doc, Span

from kfor_kg.lexicon.gazetteer import alias_table, match_key
from kfor_kg.rdf.graph import add_span
from kfor_kg.rdf.vocab import FOAF, KFOR, ORG, RDF, RDFS, SCHEMA, SEM, SKOS, XSD
from kfor_kg.rdf.iris import Minter, slug
from kfor_kg.nlp.pipeline import Role, acronym_pairs, entity_rules, entity_type, fold, roles
from kfor_kg.extract.records import DocumentRecord, Evidence

__all__ = [
    "Entity", "EntityLayer", "Mention", "PostHolding", "Role", "add_entity_layer", "annotate",
    "entity_iri", "mentions_in", "roles",
]

_TYPE_CLASSES = {
    "Person": (KFOR.Person, FOAF.Person, SCHEMA.Person),
    "Organization": (KFOR.Organization, ORG.Organization, SCHEMA.Organization),
    "Place": (KFOR.Place, SCHEMA.Place, SEM.Place),
    "Resolution": (KFOR.Resolution, SCHEMA.Legislation),
}


# --- the layer ------------------------------------------------------------------


@dataclass
class Entity:
    """One real-world thing, across all documents."""

    type: str                      # Person | Organization | Place | Resolution
    key: str                       # IRI key (slug)
    label: str                     # preferred label
    surfaces: set[str] = field(default_factory=set)   # every surface form, as written (cleaned text)
    acronym: str | None = None
    facility: bool = False         # a Place that is a building, bridge, monastery...
    number: int | None = None      # Resolution
    year: int | None = None        # Resolution

    @property
    def id(self) -> tuple[str, str]:
        return (self.type, self.key)


@dataclass(frozen=True)
class Mention:
    """A stretch of a document's text that names an entity."""

    key: str                       # the entity's key
    type: str                      # the entity's type
    start: int                     # cleaned-text offsets (record.clean.text)
    end: int
    text: str                      # cleaned text[start:end]
    evidence: Evidence             # the same words in the original file
    sentence: Evidence             # the sentence around it, in the original file
    sentence_start: int = 0        # cleaned-text offsets of the sentence
    sentence_end: int = 0
    label: str = ""                # the entity's preferred label

    @property
    def entity_id(self) -> tuple[str, str]:
        return (self.type, self.key)


@dataclass(frozen=True)
class PostHolding:
    """A post held by a person as a document states it ("the former Speaker of the Kosovo Assembly, Jakup Krasniqi")."""

    person: str                    # person key
    role: str                      # role label ("Speaker")
    organization: tuple[str, str]  # (type, key) of the organization or place the post is in
    date: dt.date | None           # the document's reference date
    former: bool
    evidence: Evidence


@dataclass
class EntityLayer:
    """What `annotate` read: canonical entities, mentions and posts per document key."""

    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    mentions: dict[str, list[Mention]] = field(default_factory=dict)
    posts: dict[str, list[PostHolding]] = field(default_factory=dict)

    def entity(self, type_: str, key: str) -> Entity | None:
        return self.entities.get((type_, key))

    def of_type(self, type_: str) -> list[Entity]:
        return sorted((e for e in self.entities.values() if e.type == type_), key=lambda e: e.key)


def mentions_in(layer: EntityLayer, record: DocumentRecord) -> list[Mention]:
    """The entity mentions of one document, in text order (for the event extractor)."""
    return list(layer.mentions.get(record.key, []))


def entity_iri(minter: Minter, entity: Entity) -> URIRef:
    """The IRI of a canonical entity (docs/model.md)."""
    return minter.entity(entity.type, entity.key)


# --- annotate ---------------------------------------------------------------------------


@dataclass
class _Raw:
    doc_index: int
    span: Span
    type: str
    label: str                     # spaCy label
    text: str
    known: tuple[str, str] | None  # (type, key) from the alias table or a resolution id
    resolved: tuple[str, str] | None = None


def annotate(records: Sequence[DocumentRecord], nlp: Language, *, batch_size: int = 64,
             n_process: int = 1) -> EntityLayer:
    """Read the entities of all documents at once (one `nlp.pipe` pass) and make them canonical."""
    docs = list(nlp.pipe((r.clean.text for r in records), batch_size=batch_size, n_process=n_process))
    raws: list[_Raw] = []
    for i, doc in enumerate(docs):
        for ent in doc.ents:
            type_ = entity_type(ent.label_)
            if type_ is None:
                continue
            known = None
            if ent.ent_id_ and "/" in ent.ent_id_:
                t, k = ent.ent_id_.split("/", 1)
                known = (t, k)
                type_ = t
            raws.append(_Raw(i, ent, type_, ent.label_, ent.text, known))
    raws = _propagate(docs, raws)
    layer = EntityLayer()
    _canonicalize(raws, docs, records, layer)
    for i, (record, doc) in enumerate(zip(records, docs)):
        mentions = [_mention(record, r, layer.entities) for r in raws if r.doc_index == i and r.resolved]
        layer.mentions[record.key] = sorted(mentions, key=lambda m: (m.start, m.end))
        layer.posts[record.key] = _posts(record, doc, raws, i, layer)
    return layer


def _propagate(docs: list[Doc], raws: list[_Raw]) -> list[_Raw]:
    """Tag what the model missed but the documents name elsewhere.

    In each document: the surname of a person it names in full ("Krasniqi"
    after "Jakup Krasniqi"), every multi-word name it tags once, and every
    acronym learned from a "Long Form (ACRONYM)" in any document.
    """
    acronyms = {p.acronym: p.label for doc in docs for p in acronym_pairs(doc) if p.is_acronym}
    out = list(raws)
    for i, doc in enumerate(docs):
        mine = [r for r in raws if r.doc_index == i]
        taken = {k for r in mine for k in range(r.span.start, r.span.end)}
        forms: dict[tuple[str, ...], _Raw] = {}
        for r in mine:
            words = tuple(t.text for t in r.span)
            if len(words) > 1 and r.type != "Resolution":
                forms.setdefault(words, r)
                last = r.span[-1]
                if r.type == "Person" and last.is_alpha and last.text[:1].isupper() and len(last) > 2 \
                        and (r.span.end - r.span.start == 2 or r.span[-2].whitespace_):
                    forms.setdefault((last.text,), _Raw(i, r.span[-1:], "Person", "PERSON", last.text, None))
        for acronym, label in acronyms.items():
            t = entity_type(label)
            if t:
                forms.setdefault((acronym,), _Raw(i, doc[0:1], t, label, acronym, None))
        if not forms:
            continue
        longest = max(len(k) for k in forms)
        k = 0
        while k < len(doc):
            if k in taken:
                k += 1
                continue
            for n in range(min(longest, len(doc) - k), 0, -1):
                model = forms.get(tuple(t.text for t in doc[k:k + n]))
                if model is None or any(j in taken for j in range(k, k + n)):
                    continue
                span = Span(doc, k, k + n, label=model.label)
                out.append(_Raw(i, span, model.type, model.label, span.text, model.known))
                taken.update(range(k, k + n))
                k += n - 1
                break
            k += 1
    return sorted(out, key=lambda r: (r.doc_index, r.span.start))


def _mention(record: DocumentRecord, raw: _Raw, entities: dict[tuple[str, str], Entity]) -> Mention:
    assert raw.resolved is not None
    span = raw.span
    sent = span.sent
    s_start, s_end = sent.start_char, sent.end_char
    text = record.clean.text
    while s_end > s_start and text[s_end - 1].isspace():
        s_end -= 1
    return Mention(raw.resolved[1], raw.resolved[0], span.start_char, span.end_char, span.text,
                   _balanced(record, Evidence.of(record.clean, span.start_char, span.end_char)),
                   _balanced(record, Evidence.of(record.clean, s_start, s_end)), s_start, s_end,
                   entities[raw.resolved].label)


_MARKS = ("**", "__", "*", "_")


def _balanced(record: DocumentRecord, ev: Evidence) -> Evidence:
    """Widen a quote over the emphasis markers it opens or closes ("António **Guterres**")."""
    original = record.clean.source.original
    start, end = ev.start, ev.end
    for mark in _MARKS:
        quote = original[start:end]
        if quote.count(mark) % 2 == 0 or mark in ("*", "_") and quote.count(mark * 2):
            continue
        if original.startswith(mark, end):
            end += len(mark)
        elif original[:start].endswith(mark):
            start -= len(mark)
    return ev if (start, end) == (ev.start, ev.end) else Evidence(start, end, original[start:end])


# --- canonical entities ------------------------------------------------------------------


def _canonicalize(raws: list[_Raw], docs: list[Doc], records: Sequence[DocumentRecord],
                  layer: EntityLayer) -> None:
    table = alias_table()
    entities = layer.entities

    def known_entity(type_: str, key: str) -> Entity:
        ent = entities.get((type_, key))
        if ent is None:
            thing = table.get(type_, key)
            ent = Entity(type_, key, thing.label if thing else key)
            entities[(type_, key)] = ent
        return ent

    # Acronyms learned anywhere in the corpus: folded acronym / long form -> the other.
    long_of: dict[str, str] = {}
    acronym_of: dict[str, str] = {}
    alt_of: dict[str, str] = {}
    for doc in docs:
        for pair in acronym_pairs(doc):
            if pair.is_acronym:
                long_of.setdefault(pair.acronym, pair.long_form)
                acronym_of.setdefault(match_key(pair.long_form), pair.acronym)
            else:
                alt_of.setdefault(match_key(pair.acronym), pair.long_form)

    # 1. Resolutions, and names the alias table knows.
    years: dict[int, int] = {}
    for raw in raws:
        if raw.type == "Resolution" and raw.known:
            num_text, _, year_text = raw.known[1].partition("-")
            if year_text and num_text.isdigit():
                years.setdefault(int(num_text), int(year_text))
    pending: list[_Raw] = []
    for raw in raws:
        if raw.type == "Resolution":
            key = raw.known[1] if raw.known else ""
            number_text, _, year_text = key.partition("-")
            if not number_text.isdigit():
                continue
            number = int(number_text)
            year = int(year_text) if year_text else years.get(number)
            key = f"{number}-{year}" if year else str(number)
            ent = entities.get(("Resolution", key))
            if ent is None:
                designation = f"{number} ({year})" if year else str(number)
                ent = Entity("Resolution", key, f"Security Council resolution {designation}",
                             number=number, year=year)
                entities[("Resolution", key)] = ent
            ent.surfaces.add(raw.text)
            raw.resolved = ent.id
            continue
        thing = None
        if raw.known:
            thing = table.get(*raw.known)
        thing = thing or table.lookup(raw.type, raw.text) or table.lookup_any(raw.text)
        if thing is None and raw.type == "Organization" or (thing is None and raw.text in long_of):
            # An acronym or long form learned from the texts, whose partner the table knows.
            partner = long_of.get(raw.text) or acronym_of.get(match_key(raw.text)) or alt_of.get(match_key(raw.text))
            if partner:
                thing = table.lookup("Organization", partner)
        if thing is not None:
            ent = known_entity(thing.type, thing.key)
            ent.surfaces.add(raw.text)
            if raw.label == "FAC" and thing.type == "Place":
                ent.facility = True
            raw.resolved = ent.id
        else:
            pending.append(raw)

    # 2. Organizations through learned acronyms; other names by their match key.
    groups: dict[str, list[_Raw]] = defaultdict(list)
    persons: list[_Raw] = []
    for raw in pending:
        acr = raw.text if raw.text in long_of else acronym_of.get(match_key(raw.text))
        if acr and raw.type in ("Organization", "Person"):
            groups["acronym:" + acr].append(raw)
        elif raw.type == "Person":
            persons.append(raw)
        else:
            alt = alt_of.get(match_key(raw.text))
            groups["name:" + match_key(alt or raw.text)].append(raw)
    # A name some documents call a person and others a place goes with the majority,
    # so one thing never gets two nodes.
    for raw in list(persons):
        key = "name:" + match_key(raw.text)
        if key in groups:
            groups[key].append(raw)
            persons.remove(raw)
    for gkey, members in sorted(groups.items()):
        kind, _, name = gkey.partition(":")
        types = Counter(m.type for m in members)
        type_ = "Organization" if kind == "acronym" else max(
            types, key=lambda t: (types[t], t == "Organization", t == "Place"))
        if type_ == "Person":
            persons.extend(members)
            continue
        if kind == "acronym":
            label = long_of[name]
            key = slug(name)
        else:
            label = _preferred(m.text for m in members)
            key = slug(label)
        ent = entities.get((type_, key)) or Entity(type_, key, label)
        entities[(type_, key)] = ent
        if kind == "acronym":
            ent.acronym = name
        for m in members:
            ent.surfaces.add(m.text)
            ent.facility = ent.facility or m.label == "FAC"
            m.resolved = ent.id

    # 3. A bare head word ("the Council", "the Mission") is the only organization
    #    of its document whose name ends in it.
    _short_organizations(raws, entities)

    # 4. People.
    _people(persons, records, entities)


def _short_organizations(raws: list[_Raw], entities: dict[tuple[str, str], Entity]) -> None:
    # The organizations each document names in several words, by their last word.
    named: dict[tuple[int, str], set[tuple[str, str]]] = defaultdict(set)
    for raw in raws:
        words = raw.text.split()
        if raw.resolved and raw.resolved[0] == "Organization" and len(words) > 1:
            named[(raw.doc_index, fold(words[-1]))].add(raw.resolved)
    for raw in raws:
        rid = raw.resolved
        if (rid is None or rid[0] != "Organization" or " " in raw.text.strip()
                or not raw.text[:1].isupper() or raw.text.isupper()):
            continue
        targets = named.get((raw.doc_index, fold(raw.text.strip())), set())
        if len(targets) == 1 and rid not in targets:
            target = next(iter(targets))
            entities[target].surfaces.add(raw.text)
            raw.resolved = target
            if not any(r.resolved == rid for r in raws):
                entities.pop(rid, None)
            elif not any(r.resolved == rid and r.text == raw.text for r in raws):
                entities[rid].surfaces.discard(raw.text)


def _preferred(surfaces: Iterable[str]) -> str:
    """The most frequent form; ties go to the one with diacritics, then the longest."""
    counts = Counter(re.sub(r"\s+", " ", s).strip() for s in surfaces)
    return max(counts, key=lambda s: (counts[s], sum(ord(c) > 127 for c in s), len(s), s))


def _name_tokens(text: str) -> list[str]:
    """Folded name words without initials ("Kofi A. Annan" -> ["kofi", "annan"])."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*\.?", text)]
    return [fold(w.rstrip(".")) for w in words if not re.fullmatch(r"[^\W\d_]\.?", w)]


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = diffs = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        diffs += 1
        if diffs > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return diffs + (len(b) - j) + (len(a) - i) <= 1


def _same_person(a: list[str], b: list[str]) -> bool:
    """Full names that name the same person: same surname, first names alike."""
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-1]:
        return False
    fa, fb = a[0], b[0]
    return fa == fb or (min(len(fa), len(fb)) >= 4 and _edit_distance_at_most_one(fa, fb))


def _people(persons: list[_Raw], records: Sequence[DocumentRecord],
            entities: dict[tuple[str, str], Entity]) -> None:
    table = alias_table()
    # Signatories name people as the structure reader canonicalized them: their
    # labels win so that both layers mint the same IRI.
    signatories: dict[str, str] = {}
    for record in records:
        for letter in record.letters:
            if letter.signatory:
                signatories[" ".join(_name_tokens(letter.signatory.name))] = letter.signatory.name
    # Clusters of full names: known people first, then in order of appearance.
    clusters: list[tuple[list[str], Entity]] = []
    for ent in sorted((e for e in entities.values() if e.type == "Person"), key=lambda e: e.key):
        clusters.append((_name_tokens(ent.label), ent))
    known_people = [c for c in clusters]
    for (t, k), thing in sorted(table.by_key.items()):
        if t == "Person" and not any(e.key == k for _, e in known_people):
            clusters.append((_name_tokens(thing.label), Entity("Person", k, thing.label)))

    def find(tokens: list[str]) -> Entity | None:
        for ctoks, ent in clusters:
            if _same_person(tokens, ctoks):
                return ent
        return None

    singles: list[_Raw] = []
    for raw in sorted(persons, key=lambda r: (r.doc_index, r.span.start)):
        tokens = _name_tokens(raw.text)
        if not tokens:
            continue
        if len(tokens) < 2:
            singles.append(raw)
            continue
        found = find(tokens)
        if found is None:
            label = signatories.get(" ".join(tokens), raw.text)
            found = Entity("Person", slug(label), label)
            clusters.append((tokens, found))
        ent = found
        entities.setdefault(ent.id, ent)
        ent = entities[ent.id]
        ent.surfaces.add(raw.text)
        raw.resolved = ent.id
    # Preferred labels of new people: a signatory's name, else the fullest form.
    for ent in list(entities.values()):
        if ent.type != "Person" or table.get("Person", ent.key):
            continue
        sig = next((signatories[k] for k in signatories if _same_person(k.split(), _name_tokens(ent.label))), None)
        best = sig or max(ent.surfaces, key=lambda s: (len(_name_tokens(s)), sum(ord(c) > 127 for c in s), len(s), s))
        if best != ent.label:
            old = ent.id
            ent.label = best
            ent.key = slug(best)
            if ent.key != old[1]:
                del entities[old]
                if ent.id in entities:
                    entities[ent.id].surfaces |= ent.surfaces
                    ent = entities[ent.id]
                else:
                    entities[ent.id] = ent
                for raw in persons:
                    if raw.resolved == old:
                        raw.resolved = ent.id
    # Lone surnames join the full name of the same document, else the corpus's only one.
    by_doc: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for raw in persons:
        if raw.resolved:
            by_doc[raw.doc_index].add(raw.resolved)
    for raw in singles:
        surname = _name_tokens(raw.text)[-1]

        def ending(ids: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
            return sorted({i for i in ids if i in entities and _name_tokens(entities[i].label)[-1:] == [surname]})

        local = ending(by_doc[raw.doc_index])
        corpus = ending(i for i in entities if i[0] == "Person")
        target = local[0] if len(local) == 1 else (corpus[0] if len(corpus) == 1 else None)
        if target is None:
            label = raw.text
            target = ("Person", slug(label))
            entities.setdefault(target, Entity("Person", target[1], label))
        entities[target].surfaces.add(raw.text)
        raw.resolved = target


# --- posts as stated ---------------------------------------------------------------------


_MODIFIERS = {"former", "then", "new", "newly", "acting", "outgoing", "incoming", "interim", "late",
              "current", "elected", "newly-elected"}
_LEADING = {"the", "a", "an", "its", "his", "her", "their"}


def _role_ending(doc: Doc, end: int) -> tuple[Role, int] | None:
    """The role whose wording ends at token `end` (exclusive): (role, start token)."""
    for role in roles():
        for words in sorted(role.words, key=len, reverse=True):
            s = end - len(words)
            if s >= 0 and tuple(fold(t.text) for t in doc[s:end]) == words:
                return role, s
    return None


def _role_starting(doc: Doc, start: int) -> tuple[Role, int] | None:
    for role in roles():
        for words in sorted(role.words, key=len, reverse=True):
            e = start + len(words)
            if e <= len(doc) and tuple(fold(t.text) for t in doc[start:e]) == words:
                return role, e
    return None


def _skip_back(doc: Doc, i: int, words: set[str]) -> int:
    while i > 0 and doc[i - 1].lower_ in words:
        i -= 1
    return i


def _posts(record: DocumentRecord, doc: Doc, raws: list[_Raw], index: int,
           layer: EntityLayer) -> list[PostHolding]:
    rules = entity_rules()
    mine = [r for r in raws if r.doc_index == index and r.resolved]
    by_end = {r.span.end: r for r in mine if r.resolved and r.resolved[0] in ("Organization", "Place")}
    by_start = {r.span.start: r for r in mine if r.resolved and r.resolved[0] in ("Organization", "Place")}
    out: dict[tuple[str, str, tuple[str, str]], PostHolding] = {}

    def add(person: _Raw, role: Role, org: tuple[str, str] | None, start: int, end: int, former: bool) -> None:
        if org is None:
            if not role.organization:
                return
            org = ("Organization", role.organization)
            if org not in layer.entities:
                thing = alias_table().get(*org)
                if thing is None:
                    return
                layer.entities[org] = Entity(*org, thing.label)
        assert person.resolved is not None
        span = doc[start:end]
        ev = Evidence.of(record.clean, span.start_char, span.end_char)
        key = (person.resolved[1], role.label, org)
        out.setdefault(key, PostHolding(person.resolved[1], role.label, org, record.reference_date, former, ev))

    for person in mine:
        if person.resolved is None or person.resolved[0] != "Person":
            continue
        p = person.span.start
        i = p
        while i > 0 and doc[i - 1].text in rules.honorifics:
            i -= 1
        # "the [former] ROLE of [the] ORG[ (ALT)], PERSON" and "ORG ROLE PERSON"
        j = i - 1 if i > 0 and doc[i - 1].text == "," else i
        if j > 0 and doc[j - 1].text == ")":
            k = j - 1
            while k > 0 and doc[k].text != "(":
                k -= 1
            j = k if k > 0 and j - k <= 6 else j
        org_raw = by_end.get(j)
        if org_raw is not None:
            o = org_raw.span.start
            o2 = o - 1 if o > 0 and doc[o - 1].lower_ == "the" else o
            if o2 > 0 and doc[o2 - 1].lower_ == "of":
                found = _role_ending(doc, o2 - 1)
                if found:
                    role, rs = found
                    ms = _skip_back(doc, rs, _MODIFIERS)
                    former = any(t.lower_ == "former" for t in doc[ms:rs])
                    add(person, role, org_raw.resolved, _skip_back(doc, ms, _LEADING), person.span.end, former)
                    continue
        found = _role_ending(doc, i)
        if found:
            role, rs = found
            ms = _skip_back(doc, rs, _MODIFIERS)
            former = any(t.lower_ == "former" for t in doc[ms:rs])
            org_raw = by_end.get(ms)
            if org_raw is not None:        # "NATO Secretary General Jens Stoltenberg"
                add(person, role, org_raw.resolved, org_raw.span.start, person.span.end, former)
                continue
            if role.organization:          # "Special Representative of the Secretary-General X"
                add(person, role, None, _skip_back(doc, ms, _LEADING), person.span.end, former)
                continue
        # "PERSON, [the] [former] ROLE of [the] ORG"
        e = person.span.end
        if e < len(doc) and doc[e].text == ",":
            k = e + 1
            while k < len(doc) and doc[k].lower_ in _LEADING | _MODIFIERS:
                k += 1
            former = any(t.lower_ == "former" for t in doc[e + 1:k])
            found2 = _role_starting(doc, k)
            if found2:
                role, re_ = found2
                k = re_
                if k < len(doc) and doc[k].lower_ == "of":
                    k += 1
                    if k < len(doc) and doc[k].lower_ == "the":
                        k += 1
                    org_raw = by_start.get(k)
                    if org_raw is not None:
                        add(person, role, org_raw.resolved, person.span.start, org_raw.span.end, former)
    return sorted(out.values(), key=lambda h: (h.evidence.start, h.person, h.role))


# --- RDF --------------------------------------------------------------------------------------


def _set_label(g: Graph, node: URIRef, prop: URIRef, value: str) -> None:
    """Add a functional label unless the node already has one (the build's facts come first)."""
    if g.value(node, prop) is None:
        g.add((node, prop, Literal(value)))


def _post_label(role: str, org: Entity) -> str:
    return f"{role} of the {org.label}" if org.type == "Organization" else f"{role} of {org.label}"


def add_entity_layer(dataset: Dataset, layer: EntityLayer, records: Sequence[DocumentRecord],
                     minter: Minter) -> None:
    """Write the entity layer into `dataset` (shared graph + one graph per document)."""
    shared = dataset.graph(minter.shared_graph())
    used = {m.entity_id for ms in layer.mentions.values() for m in ms}
    used |= {(("Person", h.person)) for hs in layer.posts.values() for h in hs}
    used |= {h.organization for hs in layer.posts.values() for h in hs}
    for eid in sorted(used):
        ent = layer.entities.get(eid)
        if ent is None:
            continue
        node = entity_iri(minter, ent)
        for cls in _TYPE_CLASSES[ent.type]:
            shared.add((node, RDF.type, cls))
        if ent.facility:
            shared.add((node, RDF.type, KFOR.Facility))
        _set_label(shared, node, SKOS.prefLabel, ent.label)
        label = str(shared.value(node, SKOS.prefLabel))
        if ent.type == "Person":
            _set_label(shared, node, FOAF.name, label)
        for surface in sorted(ent.surfaces):
            if surface != label:
                shared.add((node, SKOS.altLabel, Literal(surface)))
        if ent.acronym and shared.value(node, KFOR.acronym) is None:
            shared.add((node, KFOR.acronym, Literal(ent.acronym)))
        if ent.type == "Organization" and shared.value(node, KFOR.acronym) is None:
            acr = next((s for s in sorted(ent.surfaces) if _looks_like_acronym(s)), None)
            if acr:
                shared.add((node, KFOR.acronym, Literal(acr)))
        if ent.type == "Resolution" and ent.number is not None:
            shared.add((node, KFOR.resolutionNumber, Literal(ent.number, datatype=XSD.integer)))
            if ent.year is not None:
                shared.add((node, KFOR.resolutionYear, Literal(ent.year, datatype=XSD.integer)))
                shared.add((node, SCHEMA.legislationIdentifier, Literal(f"S/RES/{ent.number} ({ent.year})")))
            else:
                shared.add((node, SCHEMA.legislationIdentifier, Literal(f"S/RES/{ent.number}")))
    for record in records:
        doc_iri = minter.document(record.key)
        g = dataset.graph(Minter.document_graph(doc_iri))

        def span_of(ev: Evidence) -> URIRef:
            return add_span(g, minter, record, ev)

        for m in layer.mentions.get(record.key, []):
            ent = layer.entities.get(m.entity_id)
            if ent is None or m.evidence.end <= m.evidence.start:
                continue
            node = entity_iri(minter, ent)
            span = span_of(m.evidence)
            g.add((span, KFOR.refersTo, node))
            g.add((doc_iri, SCHEMA.mentions, node))
            if m.sentence.end > m.sentence.start:
                sentence = span_of(m.sentence)
                g.add((sentence, RDF.type, KFOR.Sentence))
                g.add((span, KFOR.sentence, sentence))
        for h in layer.posts.get(record.key, []):
            org = layer.entities.get(h.organization)
            person = layer.entities.get(("Person", h.person))
            if org is None or person is None:
                continue
            org_node, person_node = entity_iri(minter, org), entity_iri(minter, person)
            post, role = minter.post(org.key, h.role), minter.role(h.role)
            shared.add((post, RDF.type, ORG.Post))
            shared.add((post, ORG.role, role))
            shared.add((post, ORG.postIn, org_node))
            _set_label(shared, post, SKOS.prefLabel, _post_label(h.role, org))
            shared.add((role, RDF.type, ORG.Role))
            _set_label(shared, role, SKOS.prefLabel, h.role)
            _set_label(shared, role, RDFS.label, h.role)
            if org.type == "Place":
                # A post "of Kosovo" is a post in Kosovo as a polity (W3C ORG: an organization).
                shared.add((org_node, RDF.type, ORG.Organization))
            holding = Minter.post_holding(doc_iri, h.evidence.start, h.role)
            g.add((holding, RDF.type, KFOR.PostHolding))
            g.add((holding, RDF.type, ORG.Membership))
            g.add((holding, KFOR.post, post))
            g.add((holding, KFOR.holder, person_node))
            g.add((holding, ORG.member, person_node))
            g.add((holding, ORG.organization, org_node))
            g.add((holding, ORG.role, role))
            g.add((holding, KFOR.former, Literal(h.former)))
            g.add((holding, KFOR.inDocument, doc_iri))
            if h.date:
                g.add((holding, KFOR.statedOn, Literal(h.date.isoformat(), datatype=XSD.date)))
            g.add((holding, KFOR.evidence, span_of(h.evidence)))


def _looks_like_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(letters) <= 10 and sum(c.isupper() for c in letters) >= 2 and " " not in text \
        and not any(c.islower() for c in text[:2])
