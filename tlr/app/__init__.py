"""The application layer: a campaign's evaluation turned into what every output shows.

The numeric core (``tlr.evaluation``, ``tlr.panel``, ``tlr.ranking``) knows nothing about the ledger or
languages; the campaign package stores data. This layer joins them once, so the CLI table, the JSON,
the HTML and the PDF all show the same figures from the same records (:mod:`tlr.app.records`), after
the same audit check (:mod:`tlr.app.audit_gate`).
"""
