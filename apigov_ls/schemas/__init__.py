"""JSON Schemas shipped as data (the ruleset format; editors reuse them for IntelliSense)."""
