"""Vocabulary, IRIs, the graph of one document, validation and serialization."""
