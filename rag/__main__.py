"""`python -m rag "问题"`: the answer and its sources for a person; `--json` prints the Answer record."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from datetime import date
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _city(name: str | None, cities: tuple[str, ...]) -> str | None:
    """The index's city a --city value names (晋城, 晋城市 or jincheng), None when it names none of them."""
    if not name:
        return None
    from rag.places import city_name

    wanted = city_name(name)
    return wanted if wanted in cities else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag", description="Answer a question from the gazettes, with citations.")
    parser.add_argument("question", help="the question, e.g. 中心城区土地征收的程序是什么？")
    parser.add_argument("--history", action="append", default=[], help="an earlier question in the same chat (repeat, oldest first)")
    parser.add_argument("--city", help="only documents of this city: one the index has documents of, in Chinese or pinyin")
    parser.add_argument("--json", action="store_true", help="print the Answer record as UTF-8 JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    from rag.index import IndexMissing
    from rag.pipeline import load_pipeline
    from rag.records import REASON_LABELS, Filters

    try:
        pipeline = load_pipeline()
    except IndexMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    city = _city(args.city, tuple(pipeline.index.places.cities))
    if args.city and city is None:
        known = "、".join(pipeline.index.places.cities) or "none"
        print(f"error: --city {args.city}: the index has documents of these cities only: {known}", file=sys.stderr)
        return 2
    result = pipeline.answer(args.question, args.history, Filters(city=city))
    if args.json:
        print(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=1, default=_jsonable))
    else:
        if result.reason is not None:
            print(f"【{REASON_LABELS[result.reason]}】")
        print(result.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
