"""Where a name stands in the file: names cut at the lines they do not belong to.

It reads the original file's lines (through the cleaned text's offset map): a
letterhead or heading line runs into the next line once the text is unwrapped.
(Lines in another script never reach the model: the cleaner sets them aside,
`kfor_kg.text.ingest.other_script`.)
"""

from __future__ import annotations

from kfor_kg.extract.records import DocumentRecord
from kfor_kg.nlp.entity_model import Raw

__all__ = ["one_line"]


def one_line(record: DocumentRecord, raws: list[Raw]) -> list[Raw]:
    """`raws` cut where a name runs from one line of the original file into a line it does not belong to.

    A name that wraps inside running text ("... met Jakup\\nKrasniqi") stays whole. A
    name whose first line is a whole line of the file (a letterhead or a heading:
    "North Atlantic Council" + "Boulevard Leopold III") keeps that line's part
    only, and is none when that part is one word ("Republic" + "Security
    Situation"); a part followed by ":" is a label ("Belgium" + "Tel:") and is
    cut off.
    """
    original = record.clean.source.original
    out: list[Raw] = []
    for r in raws:
        span = r.span
        if r.known is not None or len(span) < 2:
            out.append(r)
            continue
        bounds = [record.clean.original_span(t.idx, t.idx + len(t.text)) for t in span]
        breaks = [k for k in range(1, len(span)) if "\n" in original[bounds[k - 1][1]:bounds[k][0]]]
        if not breaks:
            out.append(r)
            continue
        pieces = list(zip([0, *breaks], [*breaks, len(span)]))

        def whole_line(a: int, b: int) -> bool:
            start, end = bounds[a][0], bounds[b - 1][1]
            line_start = original.rfind("\n", 0, start) + 1
            line_end = original.find("\n", end)
            line_end = len(original) if line_end < 0 else line_end
            return not original[line_start:start].strip() and not original[end:line_end].strip(" \t.,;")

        def label(a: int, b: int) -> bool:
            return original[bounds[b - 1][1]:].lstrip(" \t")[:1] == ":"

        # Only the line a name starts on can be a heading of its own (the line it ends
        # on may be the last of a paragraph).
        keep = pieces[0] if whole_line(*pieces[0]) else None
        if keep is not None and keep[1] - keep[0] < 2:
            continue        # one word alone on its line: a heading word, not a name
        if keep is None:
            if not any(label(a, b) for a, b in pieces):
                out.append(r)
                continue
            before = [(a, b) for a, b in pieces if not label(a, b)]
            keep = (pieces[0][0], before[-1][1]) if before and before[0] == pieces[0] else None
        if keep is None:
            continue
        cut = span[keep[0]:keep[1]]
        out.append(Raw(cut, r.type, r.label, cut.text, r.known))
    return out

