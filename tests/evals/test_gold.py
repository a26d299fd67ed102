"""Gold files: loading, validation messages (file:line, field, fix), and the `check` command against the corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evals.__main__ import main
from evals.gold import KINDS, GoldError, load_gold
from tests.conftest import ROOT

GOLD_FILES = sorted((ROOT / "evals" / "gold").glob("*.jsonl"))
DEV_FILES = sorted((ROOT / "evals" / "gold").glob("dev_*.jsonl"))
TEST_FILES = sorted((ROOT / "evals" / "gold").glob("test_*.jsonl"))
GOOD = {"id": "x-1", "question": "搬迁补助费是多少？", "kind": "number", "answer": "18元/平方米", "key_facts": ["18元/平方米"],
        "evidence": "搬迁补助费 18元/平方米", "doc_number": "晋市政发〔2018〕23号", "locator": "第十二条（一）"}
UNANSWERABLE = {**GOOD, "id": "x-2", "kind": "unanswerable", "key_facts": [], "evidence": "", "doc_number": ""}


def write_lines(path: Path, *lines: object) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines),
                    encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(GoldError) as info:
        load_gold([path])
    return [str(p) for p in info.value.problems]


def test_bundled_gold_files_load_every_item_with_valid_kinds() -> None:
    items = load_gold(GOLD_FILES)
    lines = sum(1 for f in GOLD_FILES for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
    assert len(items) == lines and len({i.id for i in items}) == lines
    assert len(load_gold(DEV_FILES)) == 982  # dev_a, dev_b (172), dev_c1–c3 (120), dev_d1–d5 (160), dev_e1, dev_e2, dev_e4 (60 each), dev_e5 (50), dev_e6 (45), dev_e7 (40), dev_e8 (55), dev_e9, dev_e10 (55 each), dev_e11 (50)
    assert {i.kind for i in items} == set(KINDS)
    assert all(i.quotes for i in items if i.answerable) and not any(i.quotes for i in items if not i.answerable)


def test_optional_fields_are_parsed_and_unknown_fields_ignored(tmp_path: Path) -> None:
    line = {**GOOD, "extra_evidence": [{"quote": "支付两次"}], "history": ["第一问", "第二问"], "question_en": "How much?",
            "reviewer": "someone", "doc_number": "晋市政办〔2017〕111号；长政办发〔2020〕27号"}
    (item,) = load_gold([write_lines(tmp_path / "g.jsonl", line, "")])
    assert item.extra_evidence == ("支付两次",) and item.quotes == ("搬迁补助费 18元/平方米", "支付两次")
    assert item.history == ("第一问", "第二问") and item.question_en == "How much?"
    assert item.doc_numbers == ("晋市政办〔2017〕111号", "长政办发〔2020〕27号")
    assert item.source == f"{tmp_path / 'g.jsonl'}:1"


def test_bad_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.jsonl", GOOD, '{"id": "x-3", "question": ')
    (message,) = problems_of(path)
    assert message.startswith(f"{path}:2:") and "not valid JSON" in message and "one complete JSON object per line" in message


def test_missing_field_names_the_field_and_the_fix(tmp_path: Path) -> None:
    line = {k: v for k, v in GOOD.items() if k != "evidence"}
    (message,) = problems_of(write_lines(tmp_path / "g.jsonl", UNANSWERABLE, line))
    assert f"{tmp_path / 'g.jsonl'}:2: field 'evidence'" in message and "verbatim quote" in message


def test_unknown_kind_lists_the_allowed_kinds(tmp_path: Path) -> None:
    (message,) = problems_of(write_lines(tmp_path / "g.jsonl", {**GOOD, "kind": "yes-no"}))
    assert ":1: field 'kind': unknown kind 'yes-no'" in message and "multi-hop" in message and "unanswerable" in message


def test_every_problem_is_reported_and_no_partial_list_is_returned(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.jsonl", GOOD, {**GOOD, "id": "x-4", "key_facts": "18元"}, "[1, 2]",
                       {**UNANSWERABLE, "evidence": "有证据"}, {**GOOD, "id": "x-5", "extra_evidence": [{"text": "错字段"}]})
    messages = problems_of(path)
    assert [m.split(": field")[0].rsplit(":", 1)[1] for m in messages] == ["2", "3", "4", "5"]
    assert "'key_facts'" in messages[0] and "JSON object" in messages[1] and "unanswerable item has evidence" in messages[2]
    assert "'extra_evidence[0]'" in messages[3]


def test_answerable_item_needs_evidence_and_key_facts(tmp_path: Path) -> None:
    messages = problems_of(write_lines(tmp_path / "g.jsonl", {**GOOD, "evidence": "", "key_facts": []}))
    assert any("'evidence': empty for an answerable item" in m for m in messages)
    assert any("'key_facts': empty for an answerable item" in m for m in messages)


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path) -> None:
    first = write_lines(tmp_path / "a.jsonl", GOOD)
    second = write_lines(tmp_path / "b.jsonl", UNANSWERABLE, GOOD)
    with pytest.raises(GoldError) as info:
        load_gold([first, second])
    (message,) = [str(p) for p in info.value.problems]
    assert message.startswith(f"{second}:2: field 'id': duplicate id 'x-1' (first at {first}:1)")


def test_check_passes_on_the_bundled_gold_files(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check"] + [a for f in GOLD_FILES for a in ("--gold", str(f))]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "all found" in out and f"of {len(load_gold(GOLD_FILES))} items" in out and "FAIL" not in out


def test_check_fails_and_names_the_item_and_the_quote_that_is_not_in_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = {**GOOD, "evidence": "征收住宅房屋，搬迁补助费 18元/平方米"}  # in jincheng-2018-04.txt
    wrong = {**GOOD, "id": "x-9", "evidence": "征收住宅房屋，搬迁补助费 18元/平方米", "extra_evidence": [{"quote": "搬迁补助费 81元/平方米"}]}
    path = write_lines(tmp_path / "g.jsonl", good, wrong)
    assert main(["check", "--gold", str(path)]) == 1
    out = capsys.readouterr().out
    (fail,) = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "x-9" in fail and f"{path}:2" in fail and "extra_evidence[0]" in fail and "81元" in fail
    assert "1 not found" in out


def test_check_finds_a_quote_of_the_repaired_text_as_well_as_of_the_raw_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """jincheng-2021-02 prints the heading doubled (（（四四））沁水段沁水段（（180180.. 66公里公里））): the repaired
    heading is what the index cites, the raw one what the authors saw; both are in the corpus, a made-up one is not."""
    repaired = {**GOOD, "evidence": "（四）沁水段（180.6公里）"}
    raw = {**GOOD, "id": "x-2", "evidence": "（（四四））沁水段沁水段（（180180.. 66公里公里））"}
    made_up = {**GOOD, "id": "x-3", "evidence": "（四）沁水段（181.6公里）"}
    path = write_lines(tmp_path / "g.jsonl", repaired, raw, made_up)
    assert main(["check", "--gold", str(path)]) == 1
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines() if line.startswith("FAIL")] == ["x-3"]
    assert "against 5 files" in out


def test_check_runs_as_a_module_and_exits_1_on_a_bad_gold_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.jsonl", {**GOOD, "kind": "boolean"})
    proc = subprocess.run([sys.executable, "-m", "evals", "check", "--gold", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 1
    assert f"{path}:1: field 'kind'" in proc.stderr


def test_the_frozen_test_split_has_the_mix_it_was_written_for() -> None:
    """The test split measures classes of question: each must be there in the share the split was written with."""
    items = load_gold(TEST_FILES)
    n = len(items)

    def share(pred: object) -> float:
        return sum(1 for i in items if pred(i)) / n  # type: ignore[operator]

    assert n >= 250
    assert all(i.question_en for i in items)
    assert share(lambda i: "citizen" in i.tags) >= 0.25
    assert share(lambda i: bool(i.history)) >= 0.15
    assert any("switch" in i.tags for i in items if i.history)
    assert share(lambda i: {"table", "long-list"} & set(i.tags)) >= 0.10
    assert share(lambda i: {"multi-part", "two-doc"} & set(i.tags)) >= 0.10
    assert share(lambda i: not i.answerable) >= 0.20
    assert all("near-miss" in i.tags for i in items if not i.answerable)
    assert {f.name for f in TEST_FILES} >= {"test_jc1801.jsonl", "test_jc1804.jsonl", "test_jc2102.jsonl",
                                            "test_jc2106.jsonl", "test_cz2003.jsonl"}
