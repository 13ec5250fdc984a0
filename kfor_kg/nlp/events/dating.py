"""Dating: when an event happened, from the one date grammar (kfor_kg.lexicon.dates).

The date in the trigger's own phrase, else the nearest one its clauses carry
(not through "after"/"before" clauses, whose time differs, nor from side
clauses); "the day after <event>" is counted back from the clause's event;
the reporting period itself ("from 1 to 30 September 2007") dates nothing.
Undated events keep no date: none is inferred from the period.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kfor_kg.lexicon.dates import DateMention, DateValue, find_dates, resolve
from kfor_kg.nlp.events.context import Candidate, DateSpan, DocumentContext, SentenceContext
from kfor_kg.nlp.events.tree import other_phrases, side_clauses, temporal_link, temporal_tokens

__all__ = ["clause_dates", "date_events", "own_date", "sentence_dates"]

# A day range covering this share of the reporting period is the period itself
# ("from 1 to 30 September"), not the days of an event; without a period, a
# range longer than a month is.
_PERIOD_SHARE = 0.8
_LONGEST_EVENT_DAYS = 31


def sentence_dates(document: DocumentContext, sent: Span) -> tuple[tuple[DateSpan, ...], frozenset[int]]:
    """The sentence's dates that may date an event (not the reporting period), and the tokens of all its dates."""
    every: list[DateSpan] = []
    for m in find_dates(sent.text):
        a, b = sent.start_char + m.start, sent.start_char + m.end
        span = document.doc.char_span(a, b, alignment_mode="expand")
        if span is None or not len(span):
            continue
        shifted = DateMention(**{**m.__dict__, "start": a, "end": b})
        every.append(DateSpan(shifted, frozenset(t.i for t in span), span.root))
    tokens = frozenset().union(*(d.tokens for d in every)) if every else frozenset()
    dates = tuple(d for d in every
                  if not _is_period(resolve(d.mention, document.period, document.reference), document))
    return dates, tokens


def _is_period(value: DateValue | None, document: DocumentContext) -> bool:
    """A range of days that is (most of) the reporting period, or longer than a month without one."""
    if value is None or value.precision != "day" or value.end == value.start:
        return False
    period = document.period
    if period is None:
        return (value.end - value.start).days > _LONGEST_EVENT_DAYS
    lo, hi = max(value.start, period[0]), min(value.end, period[1])
    overlap = (hi - lo).days + 1 if hi >= lo else 0
    return overlap >= _PERIOD_SHARE * ((period[1] - period[0]).days + 1)


def own_date(c: Candidate, cands: list[Candidate], ctx: SentenceContext) -> tuple[DateMention, Token] | None:
    """The date in the trigger's own phrase (not in other triggers' phrases or clauses with another time)."""
    links = ctx.rules.temporal_links
    excluded = other_phrases(c.token, (o.token for o in cands)) | temporal_tokens(c.token, c.token, links)
    if c.token.pos_ in ("VERB", "AUX"):
        excluded |= side_clauses(c.token, c.token)
    found = [d for d in ctx.dates if d.head.i not in excluded
             and (d.head.i == c.token.i or c.token.is_ancestor(d.head)) and d.mention.kind != "relative-day"]
    if not found:
        return None
    best = min(found, key=lambda d: abs(d.head.i - c.token.i))
    return best.mention, best.head


def date_events(events: list[Candidate], live: list[Candidate], ctx: SentenceContext) -> None:
    """Date the sentence's events: plain dates first, then those counted from another event ("the day after")."""
    for c in events:
        _plain_date(c, events, ctx)
    for c in events:
        if c.date is None:
            _relative_date(c, events, live, ctx)


def _plain_date(c: Candidate, events: list[Candidate], ctx: SentenceContext) -> None:
    if c.own_date is not None:
        _set_date(c, c.own_date[0], ctx)
        return
    for d in clause_dates(c, events, ctx):
        if d.mention.kind != "relative-day":
            _set_date(c, d.mention, ctx)
            return


def _relative_date(c: Candidate, events: list[Candidate], live: list[Candidate], ctx: SentenceContext) -> None:
    document = ctx.document
    # "took place the day after the meeting": the meeting is a day before the clause's event.
    for d in ctx.dates:
        if d.mention.kind == "relative-day" and c.token.head.i in d.tokens:
            anchor = _clause_event_date(c.token.head.head, c, live)
            value = anchor.shifted(-d.mention.offset) if anchor is not None else None
            if value is not None:
                c.date, c.date_mention = value, d.mention
            return
    # "One was immediately transferred": right after the last dated event of the paragraph.
    if any(ch.dep_ == "advmod" and ch.lower_ in ctx.rules.sequel_words for ch in c.token.children):
        same_paragraph = ctx.previous is not None and "\n" not in document.text[ctx.previous.end_char:ctx.sent.start_char]
        last = next((a for a in reversed(ctx.earlier) if a.date is not None), None)
        if last is not None and (last.token.sent == ctx.sent or (
                same_paragraph and ctx.previous is not None and ctx.previous.start <= last.token.i < ctx.previous.end)):
            c.date = last.date
            return
    # "The next day, ...": counted from the last dated event.
    for d in clause_dates(c, events, ctx):
        if d.mention.kind == "relative-day" and not any(
                x.dep_ == "pobj" for i in d.tokens for x in document.doc[i].children):
            anchor = next((a.date for a in reversed(ctx.earlier) if a.date is not None), None)
            value = resolve(d.mention, document.period, document.reference, anchor)
            if value is not None:
                c.date, c.date_mention = value, d.mention
            return


def _clause_event_date(clause: Token, c: Candidate, live: list[Candidate]) -> DateValue | None:
    """The date of the event a clause tells of: its verb's, or its subject's or object's."""
    for o in live:
        ot = o.token
        if o is not c and (ot.i == clause.i or (ot.head.i == clause.i and ot.dep_ in ("nsubj", "nsubjpass", "dobj"))):
            target = o.resolved()
            if target.date is not None:
                return target.date
    return None


def clause_dates(c: Candidate, events: list[Candidate], ctx: SentenceContext) -> list[DateSpan]:
    """Dates carried by the clauses above the trigger, nearest clause first."""
    links = ctx.rules.temporal_links
    excluded = other_phrases(c.token, (o.token for o in events))
    prev, node = c.token, c.token.head
    out: list[DateSpan] = []
    while node.i != prev.i:
        if temporal_link(prev, links):
            break
        if prev.dep_ == "pobj" and node.lower_ == "of" and node.head.lemma_.lower() in ctx.rules.prior_heads:
            break       # "on the basis of an indictment": that event came before the clause

        blocked = (excluded | {x.i for x in prev.subtree} | temporal_tokens(node, c.token, links)
                   | side_clauses(node, c.token))
        level = [d for d in ctx.dates if d.head.i not in blocked and (d.head.i == node.i or node.is_ancestor(d.head))]
        out.extend(sorted(level, key=lambda d: abs(d.head.i - c.token.i)))
        prev, node = node, node.head
    return out


def _set_date(c: Candidate, mention: DateMention, ctx: SentenceContext) -> None:
    value = resolve(mention, ctx.document.period, ctx.document.reference)
    if value is not None:
        c.date, c.date_mention = value, mention
