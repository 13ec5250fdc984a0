"""Queries and triplestores: local SPARQL, HTTP endpoints, load and unload."""
