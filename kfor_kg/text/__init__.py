"""Read a report file and clean it, keeping a map back to the original; its structure."""
