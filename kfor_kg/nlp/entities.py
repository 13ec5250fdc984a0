"""A document's entities: its mentions made canonical from that document and the shipped data alone.

`read_entities(record, doc)` reads the entities the pipeline left on the
document's `Doc` and names each real-world thing by a key that does not
depend on other documents:

- names on lines they do not belong to are cut or dropped
  (`kfor_kg.nlp.lines`; lines in another script the cleaner has set aside),
  names with a lost character repaired or flagged (`kfor_kg.nlp.damaged`);
- names the gazetteer knows (data/aliases.tsv, data/places.tsv) take its key, whatever their
  case, diacritics or honorific, or a misspelling of one ("United Nation");
  KFOR's areas their one name (`kfor_kg.nlp.places`); "Long Form (ACRONYM)"
  pairs of the same document join the acronym and its long form;
- other names take the slug of the name without honorifics, a leading "the",
  case or diacritics (every script transliterated); their type is the one most
  of their mentions in the document got; the leading part of a longer
  organization name joins it;
- people, when their name is shaped like a person's, as `kfor_kg.nlp.people`
  joins them, within the document.

Preferred labels are `kfor_kg.lexicon.gazetteer.label_for(kind, key)`; the
forms as written are the entity's `surfaces` (`kfor_kg.nlp.entity_model`).
Posts as stated are read by `kfor_kg.nlp.posts`; `kfor_kg.rdf.entity_graph`
writes the RDF.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict

from spacy.tokens import Doc, Span

from kfor_kg.extract.records import DocumentRecord, Evidence
from kfor_kg.lexicon.gazetteer import Canonical, alias_table, match_key
from kfor_kg.nlp.damaged import damaged, repair, widen
from kfor_kg.nlp.lines import one_line
from kfor_kg.nlp.entity_model import DocumentEntities, Entity, Mention, Raw, entity, entity_key
from kfor_kg.nlp.people import full_name_surnames, people, person_shaped
from kfor_kg.nlp.places import area_label
from kfor_kg.nlp.posts import read_posts
from kfor_kg.nlp.rules import AcronymPair, EntityRules, acronym_pairs, shipped_rules
from kfor_kg.text.normalize import fold
from kfor_kg.rdf.iris import parse_resolution_key, resolution_key

__all__ = ["read_entities"]


# --- reading ---------------------------------------------------------------------------


def read_entities(record: DocumentRecord, doc: Doc) -> DocumentEntities:
    """The entities, mentions and posts of one document, from its parsed `doc` (of `record.clean.text`)."""
    rules = shipped_rules()
    pairs = acronym_pairs(doc)
    raws: list[Raw] = []
    for ent in doc.ents:
        type_ = rules.entity_type(ent.label_)
        if type_ is None:
            continue
        known = None
        if ent.ent_id_ and "/" in ent.ent_id_:
            t, k = ent.ent_id_.split("/", 1)
            known = (t, k)
            type_ = t
        if known is None and ent.text.split()[:1] and ent.text.split()[0] in rules.non_entity_leads:
            continue        # "Operation Joint Guard": an operation, no entity
        if known is None and type_ == "Organization" and placed(ent, rules):
            type_ = "Place"     # "attacks in Svinjare": a village the model took for an organization
        raws.append(Raw(ent, type_, ent.label_, ent.text, known))
    titles = record.structure.non_prose_spans()
    raws = mend(prose(propagate(doc, prose(one_line(record, raws), titles), pairs, rules), titles), rules)
    out = DocumentEntities()
    canonicalize(raws, pairs, record, out.entities)
    out.mentions = sorted((mention(record, r, out.entities) for r in raws if r.resolved),
                          key=lambda m: (m.start, m.end))
    out.posts = read_posts(record, doc, [r for r in raws if r.resolved], rules)
    for h in out.posts:
        entity(out.entities, *h.organization)
    used = {m.entity_id for m in out.mentions} | {("Person", h.person) for h in out.posts} | {
        h.organization for h in out.posts}
    out.entities = {k: v for k, v in sorted(out.entities.items()) if k in used}
    return out


def prose(raws: list[Raw], titles: list[tuple[int, int]]) -> list[Raw]:
    """`raws` without the names the gazetteer does not know that stand in the masthead, a heading or a label.

    Those lines are titles, not running text: "Annex", "Summary", "Political
    situation", "Distr.: General" name nothing, though the model, fed Title
    Case, tags them.
    """
    if not titles:
        return raws
    starts = [a for a, _ in titles]
    out = []
    for r in raws:
        i = bisect.bisect_right(starts, r.span.start_char) - 1
        if r.known is None and i >= 0 and r.span.end_char <= titles[i][1]:
            continue
        out.append(r)
    return out


def placed(ent: Span, rules: EntityRules) -> bool:
    """An organization name right after "in", "near" or "outside" with no organization word in it, not an acronym."""
    if ent.start == 0 or ent.text.isupper():
        return False
    before = ent.doc[ent.start - 1].lower_
    return (any(cue == (before,) for cue in rules.person_place_cues)
            and not any(t.text in rules.organization_heads for t in ent))


def mend(raws: list[Raw], rules: EntityRules) -> list[Raw]:
    """`raws` with names that hold a lost character read whole and repaired where the evidence allows."""
    table = alias_table()
    for raw in raws:
        if raw.type == "Resolution":
            continue
        span = widen(raw.span)
        if span is raw.span and not damaged(raw.text):
            continue
        written = span.text
        others = [r.text for r in raws if r.type == raw.type and r is not raw]
        raw.span, raw.text = span, written
        raw.text, raw.warning = repair(written, raw.type, others, table, rules.damaged_endings)
        raw.known = None if raw.text != written else raw.known
    return raws


def propagate(doc: Doc, raws: list[Raw], pairs: list[AcronymPair], rules: EntityRules) -> list[Raw]:
    """Tag what the model missed but the document names elsewhere.

    The surname of a person it names in full ("Krasniqi" after "Jakup
    Krasniqi"), every multi-word name it tags once, and every acronym it
    defines in a "Long Form (ACRONYM)".
    """
    acronyms = {p.acronym: p.label for p in pairs if p.is_acronym}
    out = list(raws)
    taken = {k for r in raws for k in range(r.span.start, r.span.end)}
    forms: dict[tuple[str, ...], Raw] = {}
    for r in raws:
        words = tuple(t.text for t in r.span)
        if len(words) > 1 and r.type != "Resolution":
            forms.setdefault(words, r)
            last = r.span[-1]
            if r.type == "Person" and last.is_alpha and last.text[:1].isupper() and len(last) > 2 \
                    and (r.span.end - r.span.start == 2 or r.span[-2].whitespace_):
                forms.setdefault((last.text,), Raw(r.span[-1:], "Person", "PERSON", last.text, None))
    for acronym, label in acronyms.items():
        t = rules.entity_type(label)
        if t:
            forms.setdefault((acronym,), Raw(doc[0:1], t, label, acronym, None))
    if not forms:
        return out
    longest = max(len(k) for k in forms)
    first_words = {words[0] for words in forms}
    k = 0
    while k < len(doc):
        if k in taken or doc[k].text not in first_words:
            k += 1
            continue
        for n in range(min(longest, len(doc) - k), 0, -1):
            model = forms.get(tuple(t.text for t in doc[k:k + n]))
            if model is None or any(j in taken for j in range(k, k + n)):
                continue
            span = Span(doc, k, k + n, label=model.label)
            out.append(Raw(span, model.type, model.label, span.text, model.known))
            taken.update(range(k, k + n))
            k += n - 1
            break
        k += 1
    return sorted(out, key=lambda r: r.span.start)


def mention(record: DocumentRecord, raw: Raw, entities: dict[tuple[str, str], Entity]) -> Mention:
    """The mention `raw` names, with its words and its sentence traced to the original file."""
    assert raw.resolved is not None
    span = raw.span
    sent = span.sent
    s_start, s_end = sent.start_char, sent.end_char
    text = record.clean.text
    while s_end > s_start and text[s_end - 1].isspace():
        s_end -= 1
    words = balanced(record, Evidence.of(record.clean, span.start_char, span.end_char))
    sentence = balanced(record, Evidence.of(record.clean, s_start, s_end))
    if words.start < sentence.start or words.end > sentence.end:
        # The emphasis marks around the words reach past the sentence: the sentence covers them too.
        a, b = min(words.start, sentence.start), max(words.end, sentence.end)
        sentence = Evidence(a, b, record.clean.source.original[a:b])
    return Mention(raw.resolved[1], raw.resolved[0], span.start_char, span.end_char, span.text,
                   words, sentence, s_start, s_end, entities[raw.resolved].label, raw.warning)


_MARKS = ("**", "__", "*", "_")


def balanced(record: DocumentRecord, ev: Evidence) -> Evidence:
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


# --- canonical entities ------------------------------------------------------------------


def canonicalize(raws: list[Raw], pairs: list[AcronymPair], record: DocumentRecord,
                 entities: dict[tuple[str, str], Entity]) -> None:
    """Resolve every raw mention to an entity of `entities` (raw.resolved), using this document only."""
    table = alias_table()
    rules = shipped_rules()
    long_of: dict[str, str] = {}          # acronym -> long form
    acronym_of: dict[str, str] = {}       # match key of a long form -> acronym
    alt_of: dict[str, str] = {}           # match key of an alternative name -> long form
    for pair in pairs:
        if pair.is_acronym:
            long_of.setdefault(pair.acronym, pair.long_form)
            acronym_of.setdefault(match_key(pair.long_form), pair.acronym)
        else:
            alt_of.setdefault(match_key(pair.acronym), pair.long_form)

    # 1. Resolutions, and names the gazetteer knows.
    designations = {r.known[1]: parse_resolution_key(r.known[1]) for r in raws if r.type == "Resolution" and r.known}
    years: dict[int, int] = {}
    for number, year in filter(None, designations.values()):     # the first year the document gives
        if year:
            years.setdefault(number, year)
    pending: list[Raw] = []
    for raw in raws:
        if raw.type == "Resolution":
            designation = designations.get(raw.known[1]) if raw.known else None
            if designation is None:
                continue
            number, year = designation[0], designation[1] or years.get(designation[0])
            ent = entity(entities, "Resolution", resolution_key(number, year))
            ent.number, ent.year = number, year
            ent.surfaces.add(raw.text)
            raw.resolved = ent.id
            continue
        thing = table.get(*raw.known) if raw.known else None
        thing = thing or table.lookup(raw.type, raw.text) or table.lookup_any(raw.text)
        if thing is None and raw.text not in rules.demonyms and not raw.text.isupper():
            # A misspelling of a known name ("United Nation"); the surface is kept as written.
            thing = table.fuzzy(raw.type, raw.text)
        area = area_label(raw.text) if thing is None else None
        if area is not None:
            # A sector, brigade area, gate or zone: one place whatever its shape.
            thing = table.lookup("Place", area) or Canonical("Place", entity_key(area), area)
        if thing is None and raw.type == "Organization" or (thing is None and raw.text in long_of):
            # An acronym or long form defined in the document, whose partner the gazetteer knows.
            partner = long_of.get(raw.text) or acronym_of.get(match_key(raw.text)) or alt_of.get(match_key(raw.text))
            if partner:
                thing = table.lookup("Organization", partner)
        if thing is not None:
            ent = entity(entities, thing.type, thing.key)
            ent.surfaces.add(raw.text)
            if raw.label == "FAC" and thing.type == "Place":
                ent.facility = True
            raw.resolved = ent.id
        else:
            pending.append(raw)

    # 2. Organizations through the document's acronyms; other names by their match key.
    groups: dict[str, list[Raw]] = defaultdict(list)
    persons: list[Raw] = []
    for raw in pending:
        acr = raw.text if raw.text in long_of else acronym_of.get(match_key(raw.text))
        if acr and raw.type in ("Organization", "Person"):
            groups["acronym:" + acr].append(raw)
        elif raw.type == "Person":
            persons.append(raw)
        else:
            groups["name:" + match_key(alt_of.get(match_key(raw.text)) or raw.text)].append(raw)
    # One word the document gives as the surname of a person named in full is that person ("Drljaca").
    surnames = {r.text.split()[-1] for r in raws if r.type == "Person" and len(r.text.split()) >= 2}
    for key in [k for k in groups if k.startswith("name:")]:
        members = groups[key]
        if all(" " not in m.text.strip() and m.text.strip() in surnames for m in members):
            for m in members:
                m.type = "Person"
            persons.extend(groups.pop(key))
    # A name the document calls a person here and a place there goes with the majority.
    for raw in list(persons):
        name_key = "name:" + match_key(raw.text)
        if name_key in groups:
            groups[name_key].append(raw)
            persons.remove(raw)
    for gkey, members in sorted(groups.items()):
        kind, _, name = gkey.partition(":")
        types = Counter(m.type for m in members)
        type_ = "Organization" if kind == "acronym" else max(
            types, key=lambda t: (types[t], t == "Organization", t == "Place"))
        if type_ == "Person":
            persons.extend(members)
            continue
        ent = entity(entities, type_, entity_key(long_of[name] if kind == "acronym" else name))
        if kind == "acronym":
            ent.acronym = name
        for m in members:
            ent.surfaces.add(m.text)
            ent.facility = ent.facility or m.label == "FAC"
            m.resolved = ent.id

    # 3. A bare head word ("the Council", "the Mission") is the only organization
    #    of the document whose name ends in it; the leading part of a longer name
    #    is that name ("Permanent Mission of France" in "... to the United Nations").
    short_organizations(raws, entities)
    leading_organizations(raws, entities)

    # 4. People: only names shaped like a person's.
    full_surnames = full_name_surnames(persons)
    people([p for p in persons if person_shaped(p, full_surnames, rules)], record, entities)


def short_organizations(raws: list[Raw], entities: dict[tuple[str, str], Entity]) -> None:
    """Join "the Council" to the one organization of the document named in several words ending in "Council"."""
    named: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for raw in raws:
        words = raw.text.split()
        if raw.resolved and raw.resolved[0] == "Organization" and len(words) > 1:
            named[fold(words[-1])].add(raw.resolved)
    for raw in raws:
        rid = raw.resolved
        if (rid is None or rid[0] != "Organization" or " " in raw.text.strip()
                or not raw.text[:1].isupper() or raw.text.isupper()):
            continue
        targets = named.get(fold(raw.text.strip()), set())
        if len(targets) == 1 and rid not in targets:
            target = next(iter(targets))
            entities[target].surfaces.add(raw.text)
            raw.resolved = target
            if not any(r.resolved == rid for r in raws):
                entities.pop(rid, None)
            elif not any(r.resolved == rid and r.text == raw.text for r in raws):
                entities[rid].surfaces.discard(raw.text)


def leading_organizations(raws: list[Raw], entities: dict[tuple[str, str], Entity]) -> None:
    """Join an organization named by the leading words of the document's one longer name that continues
    with a word of ``of_connectors`` ("of", "in", "to", "for")."""
    table = alias_table()
    connectors = shipped_rules().of_connectors
    orgs = sorted({r.resolved for r in raws if r.resolved and r.resolved[0] == "Organization"
                   and r.resolved in entities})
    words = {o: match_key(entities[o].label).split() for o in orgs}
    for short in orgs:
        if table.get(*short) is not None:
            continue
        n = len(words[short])
        longer = [o for o in orgs if o != short and len(words[o]) > n + 1 and words[o][:n] == words[short]
                  and words[o][n] in connectors]
        if not longer:
            continue
        # One chain of ever longer names ("... of France", "... of France to the United Nations"): its longest.
        target = max(longer, key=lambda o: len(words[o]))
        if any(words[target][:len(words[o])] != words[o] for o in longer):
            continue
        for raw in raws:
            if raw.resolved == short:
                raw.resolved = target
                entities[target].surfaces.add(raw.text)
        entities.pop(short, None)

