"""The shipped linking data: the reviewed alignment table and the Wikidata types each kind accepts.

kfor_kg/data/wikidata-alignments.tsv maps local keys (entity paths such as
'person/jens-stoltenberg') to reviewed QIDs; kfor_kg/data/wikidata-types.toml
says which Wikidata classes a Person, Organization, Place or Resolution may be
an instance of, and whether life dates are checked.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kfor_kg.errors import ConfigError
from kfor_kg.rdf.iris import is_entity_path
from kfor_kg.resources import data_file

__all__ = ["Alignment", "TypeRule", "load_alignments", "load_type_rules", "is_qid"]

_QID = re.compile(r"^Q[1-9][0-9]*$")


def is_qid(text: str) -> bool:
    """Whether `text` is a Wikidata item ID such as 'Q1244'."""
    return _QID.match(text) is not None


@dataclass(frozen=True)
class Alignment:
    """A reviewed row of the alignment table."""

    key: str
    qid: str
    label: str
    verified: str


def load_alignments(path: Path | None = None) -> dict[str, Alignment]:
    """The alignment table (default: the shipped one), by local key.

    Raises:
        ConfigError: the file is missing or a row is malformed or repeated.
    """
    path = path or data_file("wikidata-alignments.tsv")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the alignment table {path}: "
                          f"{exc.strerror or exc}") from exc
    table: dict[str, Alignment] = {}
    header_seen = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if cells == ["key", "qid", "label", "verified"]:
                continue
        where = f"{path}:{number}"
        if len(cells) != 4 or not all(cell.strip() for cell in cells):
            raise ConfigError(f"{where}: expected 4 tab-separated cells "
                              "(key, qid, label, verified), all non-empty")
        key, qid, label, verified = (cell.strip() for cell in cells)
        if not is_entity_path(key):
            raise ConfigError(f"{where}: key {key!r} is not an entity path such as "
                              "'person/jens-stoltenberg' or 'post/united-nations/secretary-general'")
        if not is_qid(qid):
            raise ConfigError(f"{where}: {qid!r} is not a Wikidata item ID (Q123)")
        if key in table:
            raise ConfigError(f"{where}: key {key!r} appears twice")
        table[key] = Alignment(key, qid, label, verified)
    return table


@dataclass(frozen=True)
class TypeRule:
    """Which Wikidata items are acceptable for one kind of entity."""

    kind: str
    instance_of: tuple[str, ...] = ()
    class_labels: tuple[str, ...] = ()
    subclasses: bool = False
    dates: bool = False


def load_type_rules(path: Path | None = None) -> dict[str, TypeRule]:
    """The accepted Wikidata types per entity kind (default: the shipped TOML).

    Raises:
        ConfigError: the file is missing, not TOML, or names an unknown kind or a bad QID.
    """
    path = path or data_file("wikidata-types.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    rules: dict[str, TypeRule] = {}
    for kind, table in data.items():
        if kind not in ("Person", "Organization", "Place", "Resolution") \
                or not isinstance(table, dict):
            raise ConfigError(f"{path}: unknown section [{kind}]; use Person, Organization, "
                              "Place or Resolution")
        unknown = set(table) - {"instance_of", "class_labels", "subclasses", "dates"}
        if unknown:
            raise ConfigError(f"{path}: [{kind}] has unknown keys {sorted(unknown)}")
        qids = tuple(table.get("instance_of", ()))
        labels = tuple(table.get("class_labels", ()))
        bad = [q for q in qids if not isinstance(q, str) or not is_qid(q)]
        if bad or not all(isinstance(label, str) and label for label in labels):
            raise ConfigError(f"{path}: [{kind}] instance_of must list QIDs (Q5) and "
                              "class_labels non-empty strings")
        if not qids and not labels:
            raise ConfigError(f"{path}: [{kind}] accepts no type; give instance_of or "
                              "class_labels")
        rules[kind] = TypeRule(kind, qids, labels, bool(table.get("subclasses", False)),
                               bool(table.get("dates", False)))
    return rules
