"""kfor-kg's registered spaCy components; importing this package registers their factories."""

from kfor_kg.nlp.components import (  # noqa: F401  (registration)
    acronyms, cues, filters, known, organizations, resolutions, ruler, sentences, trim,
)
