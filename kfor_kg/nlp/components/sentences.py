"""``kfor_sentences``: token sentence starts from the one segmentation (`kfor_kg.text.sentences`).

It runs first, so the parser and the NER keep these boundaries: a name never
runs across a line break ("António Guterres\\nAnnex").
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from kfor_kg.text.sentences import sentence_spans


def set_sentences(doc: Doc) -> Doc:
    """Start a sentence at the token that holds the start of each sentence of `sentence_spans`."""
    n = len(doc)
    if not n:
        return doc
    starts = numpy.full((n, 1), -1, dtype="int64")      # SENT_START: 1 starts a sentence, -1 not
    starts[0, 0] = 1
    token_starts = numpy.array([t.idx for t in doc], dtype="int64")
    for start, _ in sentence_spans(doc.text):
        i = int(numpy.searchsorted(token_starts, start, side="right")) - 1
        if i > 0:
            starts[i, 0] = 1
    doc.from_array([SENT_START], starts.astype("uint64"))  # type: ignore[arg-type]  # spaCy arrays are uint64
    return doc


Language.component("kfor_sentences", assigns=["token.is_sent_start"], func=set_sentences)
