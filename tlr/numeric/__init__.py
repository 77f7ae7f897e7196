"""tlr.numeric — what every numeric module (weighting, panel, engine, ranking, evaluation) stands on.

* :mod:`tlr.numeric.errors`  — the numeric errors (:class:`~tlr.numeric.errors.ScoringError` and its
  kinds); each is a :class:`tlr.errors.TlrError` (printed without a traceback) and a ``ValueError``.
* :mod:`tlr.numeric.results` — the result base: frozen dataclasses with a JSON-ready ``to_dict()``
  (:class:`~tlr.numeric.results.ResultMixin`, :func:`~tlr.numeric.results.jsonable`) and the one JSON
  writer (:func:`~tlr.numeric.results.json_text`).
* :mod:`tlr.numeric.arrays`  — checked input arrays (:func:`~tlr.numeric.arrays.as_float_array`).
* :mod:`tlr.numeric.stats`   — average ranks and the chi-square / F upper tails, without ``scipy.stats``.

Import the sub-modules; this package imports nothing itself.
"""
