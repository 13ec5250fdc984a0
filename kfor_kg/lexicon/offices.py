"""The one table of roles and offices (kfor_kg/data/offices.tsv).

A *role* is what a person is ("Secretary-General"); the NER reads roles in
running text with the words of `roles()`. An *office* is a role in one named
organization ("Secretary-General" of "nato"); the header facts read office
phrases of letter headings and signatures with `parse_office`. `post_label`
is the one label of a post (a role in an organization) in the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kfor_kg.errors import ConfigError
from kfor_kg.extract.records import Office
from kfor_kg.resources import data_file
from kfor_kg.text.normalize import fold

__all__ = ["Role", "office_pattern", "parse_office", "post_label", "roles"]

_KINDS = ("role", "office")
FROM_PHRASE = "*"       # an office's organization named in the phrase itself ("Permanent Mission of France")


@dataclass(frozen=True)
class Role:
    """A role read in running text ("Secretary-General", "President", "Head")."""

    label: str
    words: tuple[tuple[str, ...], ...]     # folded token sequences, longest first
    organization: str | None               # alias-table key the role implies


@dataclass(frozen=True)
class _Table:
    roles: tuple[Role, ...]
    offices: tuple[tuple[re.Pattern[str], Office], ...]
    office_pattern: str                    # alternation of every office phrase, in table order


@lru_cache(maxsize=1)
def _table() -> _Table:
    path = data_file("offices.tsv")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the roles and offices ({e})") from e
    roles: list[Role] = []
    offices: list[tuple[re.Pattern[str], Office]] = []
    sources: list[str] = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, label, org, written = (line.split("\t") + ["", "", ""])[:4]
        kind, label, org, written = kind.strip(), label.strip(), org.strip(), written.strip()
        if kind not in _KINDS or not label:
            raise ConfigError(f"{path}:{n}: a row needs a kind ({' or '.join(_KINDS)}) and a role label")
        if kind == "role":
            names = [label, *[v for v in written.split("|") if v.strip()]]
            words = sorted({tuple(fold(w) for w in re.findall(r"\w+|[^\w\s]", name)) for name in names},
                           key=lambda w: (-len(w), w))
            roles.append(Role(label, tuple(words), org or None))
            continue
        if not org or not written:
            raise ConfigError(f"{path}:{n}: an office needs an organization and a pattern")
        # All-caps headings ("FROM THE SECRETARY-GENERAL") read like any other; a row that reads
        # the organization from the phrase keeps its case (capitals end the name).
        cased = org == FROM_PHRASE
        try:
            pattern = re.compile(written, 0 if cased else re.I)
        except re.error as e:
            raise ConfigError(f"{path}:{n}: bad office pattern ({e})") from e
        if org == FROM_PHRASE and "org" not in pattern.groupindex:
            raise ConfigError(f"{path}:{n}: an office whose organization is {FROM_PHRASE} needs a group (?P<org>...)")
        offices.append((pattern, Office(label, org)))
        anonymous = re.sub(r"\(\?P<\w+>", "(?:", written)
        sources.append(anonymous if cased else f"(?i:{anonymous})")
    return _Table(tuple(roles), tuple(offices), "(?:" + "|".join(f"(?:{s})" for s in sources) + ")")


def roles() -> tuple[Role, ...]:
    """The roles read in running text, in table order.

    Raises:
        ConfigError: when data/offices.tsv is missing or malformed.
    """
    return _table().roles


def parse_office(phrase: str) -> Office | None:
    """The office an office phrase names, else None.

    >>> parse_office("Secretary General of the North Atlantic Treaty Organization")
    Office(role='Secretary-General', organization='nato')
    >>> parse_office("Permanent Mission of France to the United Nations")
    Office(role='Permanent Mission', organization='france')
    """
    phrase = re.sub(r"\s+", " ", phrase.strip())
    for pattern, office in _table().offices:
        m = pattern.fullmatch(phrase)
        if m and office.organization == FROM_PHRASE:
            return Office(office.role, _organization_key(m["org"])) if m["org"] else None
        if m:
            return office
    return None


def _organization_key(name: str) -> str:
    """The alias-table key of the state or organization `name`, else its slug."""
    from kfor_kg.lexicon.gazetteer import alias_table
    from kfor_kg.rdf.iris import slug

    table = alias_table()
    thing = table.lookup("Organization", name) or table.lookup("Place", name)
    return thing.key if thing else slug(name)


def office_pattern() -> str:
    """A regular expression (without named groups) of any office phrase, to embed in other rules."""
    return _table().office_pattern


def post_label(role: str, organization_label: str, organization_kind: str = "Organization") -> str:
    """The label of a post: a role in an organization, or in a place as a polity.

    >>> post_label("Secretary-General", "United Nations")
    'Secretary-General of the United Nations'
    >>> post_label("President", "Kosovo", "Place")
    'President of Kosovo'
    """
    if organization_kind == "Organization":
        return f"{role} of the {organization_label}"
    return f"{role} of {organization_label}"
