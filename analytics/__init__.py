"""Per-turn analytics: Rasa's event stream turned into one row per user turn (services runtime).

The row schema (:mod:`analytics.schema`) is a contract: the editors' inbox and statistics read it.
"""
