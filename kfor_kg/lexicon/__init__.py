"""Shipped knowledge used by every reader: the gazetteer, offices and roles, the date grammar."""
