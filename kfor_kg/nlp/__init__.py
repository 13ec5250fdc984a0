"""The one spaCy pipeline and what is read from its parse: entities and events."""
