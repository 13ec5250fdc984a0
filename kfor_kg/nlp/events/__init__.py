"""Events the reports tell of: elections, arrests, meetings, attacks... with date, place and people.

`read_events(record, doc, entities)` reads one document from the Doc of the
one spaCy pass (parse, lemmas, sentences) and the document's entity mentions.
A trigger word (kfor_kg/data/event_patterns.toml: lemmas per event type, with
a few syntactic conditions) starts a candidate; the parts then run in turn,
each in its own module:

* `triggers`: the words that tell of an event;
* `filters`: what is not a single real occurrence (summaries, counted,
  negated, hypothetical or generic mentions, modifiers, states);
* `coreference`: a trigger that tells again of an event already read;
* `dating`: the event's date, through `kfor_kg.lexicon.dates`;
* `arguments`: its place and participants, from the entity mentions;
* `labels`: its short human label.

`kfor_kg.rdf.event_graph.add_events` writes the events into the document's
graph (docs/model.md, "Event").
"""

from kfor_kg.nlp.events.model import EntityRef, EventRecord
from kfor_kg.nlp.events.reader import read_events
from kfor_kg.nlp.events.rules import EventRules, EventType, TriggerRule, event_rules

__all__ = ["EntityRef", "EventRecord", "EventRules", "EventType", "TriggerRule", "event_rules", "read_events"]
