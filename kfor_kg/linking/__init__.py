"""Links from the graph to Wikidata."""
