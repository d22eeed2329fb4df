"""Editors' inbox over the turn records: unanswered questions clustered, decisions, feedback.

Reads the ``turns`` table (:mod:`analytics.schema`, written by the analytics consumer) and keeps
its own small tables (:mod:`inbox.store`): the editors' decisions per cluster and 👍/👎 votes
that arrived before their turn row.
"""
