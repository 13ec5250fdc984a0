"""The event reader: one document's Doc and entity mentions in, its events out.

For each sentence of the Doc (the one segmentation), the parts run in turn:
`triggers` find the candidates, `dating` finds the date in each one's own
phrase, `filters` drop what is no single real occurrence, `coreference`
joins what tells again of an event already read, `dating` dates the rest,
`arguments` finds their place and participants and `labels` names them. The
state that crosses sentences (the events accepted so far, the sentence
before) is passed in a `SentenceContext`; nothing is kept between calls.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from kfor_kg.extract.records import DocumentRecord, Evidence
from kfor_kg.nlp.events.arguments import other_places, participants, place, scope
from kfor_kg.nlp.events.context import Candidate, DocumentContext, EntitiesLike, SentenceContext
from kfor_kg.nlp.events.coreference import link_aliases
from kfor_kg.nlp.events.dating import clause_dates, date_events, own_date, sentence_dates
from kfor_kg.nlp.events.filters import drop_reason, generic_plural, is_summary
from kfor_kg.nlp.events.labels import event_label
from kfor_kg.lexicon.dates import resolve
from kfor_kg.nlp.events.model import EventRecord
from kfor_kg.nlp.events.rules import event_rules
from kfor_kg.nlp.events.triggers import candidates
from kfor_kg.text.sentences import without_paragraph_number

__all__ = ["read_events"]

def read_events(record: DocumentRecord, doc: Doc, entities: EntitiesLike) -> list[EventRecord]:
    """The events of one document, in text order.

    `doc` is the spaCy Doc of `record.clean.text` with a dependency parse,
    lemmas and sentences; `entities` the document's entities (only their
    `mentions` are read: type, key and cleaned-text offsets). Entities are
    named by `gazetteer.label_for(kind, key)`, the label of their node.

    >>> from pathlib import Path
    >>> from types import SimpleNamespace
    >>> from spacy.lang.en import English
    >>> from spacy.tokens import Doc
    >>> from kfor_kg.text.ingest import SourceText, clean
    >>> text = "On 4 November 2020, the police arrested Jakup Krasniqi in Pristina."
    >>> record = DocumentRecord("x", clean(SourceText(Path("x.txt"), text, "")))
    >>> doc = Doc(English().vocab, words=text[:-1].replace(",", " ,").split() + ["."],
    ...     spaces=[1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    ...     heads=[7, 2, 0, 2, 7, 6, 7, 7, 9, 7, 9, 10, 7],
    ...     deps="prep nummod pobj nummod punct det nsubj ROOT compound dobj prep pobj punct".split(),
    ...     pos="ADP NUM PROPN NUM PUNCT DET NOUN VERB PROPN PROPN ADP PROPN PUNCT".split(),
    ...     tags="IN CD NNP CD , DT NN VBD NNP NNP IN NNP .".split(),
    ...     lemmas="on 4 November 2020 , the police arrest Jakup Krasniqi in Pristina .".split())
    >>> entities = SimpleNamespace(mentions=[
    ...     SimpleNamespace(type="Person", key="jakup-krasniqi", start=40, end=54),
    ...     SimpleNamespace(type="Place", key="pristina", start=58, end=66)])
    >>> [(e.type, e.date.iso, e.label) for e in read_events(record, doc, entities)]
    [('arrest', '2020-11-04', 'Arrest of Jakup Krasniqi in Pristina')]

    Raises:
        ConfigError: when the event rules cannot be loaded.
    """
    document = DocumentContext.of(record, doc, entities, event_rules())
    accepted: list[Candidate] = []
    out: list[EventRecord] = []
    previous: Span | None = None
    for sent in doc.sents:
        if not is_summary(sent, document.rules):
            dates, date_tokens = sentence_dates(document, sent)
            ctx = SentenceContext(document, sent, previous, dates, date_tokens, tuple(accepted))
            for c, event in _sentence_events(ctx):
                accepted.append(c)
                out.append(event)
        previous = sent
    return sorted(out, key=lambda e: e.start)


def _sentence_events(ctx: SentenceContext) -> list[tuple[Candidate, EventRecord]]:
    """The events of one sentence, with the candidates they were read from."""
    rules = ctx.rules
    cands = candidates(ctx.sent, ctx.date_tokens, rules)
    if not cands:
        return []
    for c in cands:
        c.own_date = own_date(c, cands, ctx)
    for c in cands:
        c.dropped = drop_reason(c, ctx.date_tokens, rules)
    live = [c for c in cands if c.dropped is None]
    link_aliases(live, ctx)
    for c in live:
        if c.alias_of is not None:
            # Told again only where it happened: an event at another place is another event.
            here, _ = place(c, scope(c, live, ctx), ctx.document)
            antecedent = c.alias_of.resolved()
            if here is not None and antecedent.place is not None and here != antecedent.place:
                c.alias_of = None
            elif antecedent.token.sent != ctx.sent and not _same_time(c, antecedent, live, ctx):
                c.alias_of = None       # ... and only at its time: a sentence dated otherwise tells of another
    events = [c for c in live if c.alias_of is None]
    date_events(events, live, ctx)
    return [(c, _event(c, events, ctx)) for c in events
            if c.date is not None or not (c.rule.needs_date or generic_plural(c.token))]


def _same_time(c: Candidate, antecedent: Candidate, live: list[Candidate], ctx: SentenceContext) -> bool:
    """Whether the dates of `c`'s clause (if any) allow it to tell again of `antecedent`."""
    then = antecedent.date
    if then is None:
        return True
    document = ctx.document
    values = [resolve(d.mention, document.period, document.reference) for d in clause_dates(c, live, ctx)
              if d.mention.kind in ("day", "month")]
    found = [v for v in values if v is not None]
    return not found or any(v.start <= then.start <= v.end or then.start <= v.start <= then.end for v in found)


def _event(c: Candidate, events: list[Candidate], ctx: SentenceContext) -> EventRecord:
    document = ctx.document
    clean = document.record.clean
    t = c.token
    where = scope(c, events, ctx)
    where_place, surface = place(c, where, document)
    c.place = where_place
    roles = participants(c, where, where_place, document)
    who = tuple(p.ref for p in roles)
    date_evidence = None
    if c.date_mention is not None:
        date_evidence = Evidence.of(clean, c.date_mention.start, c.date_mention.end)
    a, b = without_paragraph_number(document.text, ctx.sent.start_char, ctx.sent.end_char)
    return EventRecord(
        type=c.type, label=event_label(c, where_place, surface, who, ctx),
        trigger=Evidence.of(clean, t.idx, t.idx + len(t.text)),
        sentence=Evidence.of(clean, a, b),
        date=c.date, date_evidence=date_evidence, place=where_place, participants=who, roles=roles,
        other_places=other_places(c, where, where_place, document))

