"""Evaluation: a gold set of questions with verbatim evidence → per-item metrics → report.json / report.md / report.png.

`python -m evals run --gold FILE --out DIR` scores pipelines ("ours", "baseline") on the gold set;
`python -m evals check --gold FILE` verifies every gold quote against the bundled corpus.
"""
