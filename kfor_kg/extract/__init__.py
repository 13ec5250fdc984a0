"""The header facts of a report, read by rules: symbol, letters, signatories, period, troops."""
