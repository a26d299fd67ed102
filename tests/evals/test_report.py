"""`python -m evals run` end to end with fake pipelines over a 4-item gold file: the three reports and their contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evals.__main__ import main
from evals.metrics import SUMMARY_KEYS
from evals.report import cjk_font, render_markdown
from evals.runner import Pipeline
from rag.records import Answer, Reason
from tests.evals.test_metrics import answer, passage
from tests.evals.test_runner import FakePipeline

EVIDENCE_1 = "征收住宅房屋，搬迁补助费 18元/平方米"
EVIDENCE_2 = "低层和多层房屋过渡期不超过 24个月"
EVIDENCE_4 = "本办法自公布之日起施行，有效期五年"
GOLD = [
    {"id": "r-1", "question": "搬迁补助费是多少？", "kind": "number", "answer": "18元/平方米", "key_facts": ["18元/平方米"],
     "evidence": EVIDENCE_1, "doc_number": "晋市政发〔2018〕23号", "locator": "第十二条（一）", "tags": ["table"]},
    {"id": "r-2", "question": "那过渡期多久？", "kind": "when", "answer": "24个月", "key_facts": ["24个月"], "evidence": EVIDENCE_2,
     "doc_number": "晋市政发〔2018〕23号", "locator": "第十三条", "history": ["搬迁补助费是多少？"]},
    {"id": "r-3", "question": "太原的搬迁补助费是多少？", "kind": "unanswerable", "answer": "无法回答", "key_facts": [], "evidence": "",
     "doc_number": "", "locator": "", "tags": ["near-miss", "nm-city"]},
    {"id": "r-4", "question": "办法有效期多久？", "kind": "when", "answer": "五年", "key_facts": ["五年"], "evidence": EVIDENCE_4,
     "doc_number": "晋市政发〔2018〕23号", "locator": "第二十三条", "tags": ["citizen", "table"]},
]
DOCNO = "晋市政发〔2018〕23号"


def ours_script(question: str, history: tuple[str, ...]) -> Answer:
    """r-1 right; r-2 evidence at S2 but S1 cited and the fact missing; r-3 refused by city_not_in_corpus (and
    value_not_stated fired too); r-4 false refusal by value_not_stated."""
    if question == "搬迁补助费是多少？":
        return answer([passage("S1", EVIDENCE_1 + "。", DOCNO)], "18元/平方米 [S1]", cited=["S1"], question=question)
    if question == "那过渡期多久？":
        return answer([passage("S1", "过渡期自搬迁交房之月起计算。", DOCNO), passage("S2", EVIDENCE_2 + "。", DOCNO)],
                      "过渡期自交房之月起算 [S1]", cited=["S1"], question=question)
    if question.startswith("太原"):
        return answer([], refused=True, question=question, rules=["city_not_in_corpus", "value_not_stated"],
                      reason=Reason.CITY_NOT_IN_CORPUS)
    return answer([], refused=True, question=question, rules=["value_not_stated"], reason=Reason.VALUE_NOT_STATED)


def baseline_script(question: str, history: tuple[str, ...]) -> Answer:
    """Never refuses; retrieves r-4's evidence only."""
    text = EVIDENCE_4 if "有效期" in question else "各县（市、区）参照执行。"
    return answer([passage("S1", text)], text + " [S1]", cited=["S1"], question=question)


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in GOLD), encoding="utf-8")
    return path


def run_cli(gold: Path, out: Path, pipelines: str, fakes: dict[str, FakePipeline]) -> int:
    def factory(fake: FakePipeline) -> Callable[[], Pipeline]:
        return lambda: fake

    return main(["run", "--gold", str(gold), "--out", str(out), "--pipeline", pipelines],
                factories={name: factory(fake) for name, fake in fakes.items()})


@pytest.fixture()
def two_pipeline_run(tmp_path: Path, gold_file: Path) -> tuple[int, Path, dict[str, FakePipeline]]:
    fakes = {"ours": FakePipeline("ours", ours_script), "baseline": FakePipeline("baseline", baseline_script)}
    out = tmp_path / "out"
    return run_cli(gold_file, out, "ours,baseline", fakes), out, fakes


def test_report_json_has_exactly_the_contract_keys(two_pipeline_run: tuple[int, Path, Any]) -> None:
    code, out, _ = two_pipeline_run
    assert code == 0  # low scores are not an error
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert set(report) == {"summary", "by_kind", "by_tag", "by_rule", "by_reason", "pipelines", "settings_fingerprint",
                           "policy_fingerprint", "items"}
    assert set(report["summary"]) == set(SUMMARY_KEYS)
    assert list(report["pipelines"]) == ["ours", "baseline"] and report["pipelines"]["ours"] == report["summary"]
    assert all(set(s) == set(SUMMARY_KEYS) for s in report["by_kind"].values())
    assert list(report["by_kind"]) == ["number", "when", "unanswerable"]  # in the order of KINDS
    assert [row["id"] for row in report["items"]] == ["r-1", "r-2", "r-3", "r-4"]
    assert all(set(row["results"]) == {"ours", "baseline"} for row in report["items"])
    assert report["settings_fingerprint"]


def test_summary_figures_are_those_of_the_first_pipeline(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, out, _ = two_pipeline_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    ours, base = report["pipelines"]["ours"], report["pipelines"]["baseline"]
    assert (ours["n"], ours["answerable"], ours["unanswerable"]) == (4, 3, 1)
    assert ours["hit_at_5"] == pytest.approx(2 / 3, abs=1e-4) and ours["citation_support"] == pytest.approx(1 / 3, abs=1e-4)
    assert ours["refusal_rate"] == 1.0 and ours["false_refusal_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert base["hit_at_5"] == pytest.approx(1 / 3, abs=1e-4) and base["refusal_rate"] == 0.0
    rows = {row["id"]: row["results"] for row in report["items"]}
    assert rows["r-2"]["ours"]["problems"] == ["retrieved but not cited", "key facts missing: 24个月"]
    assert rows["r-3"]["baseline"]["problems"] == ["answered an unanswerable"]


def test_history_item_is_asked_through_each_pipeline_in_order(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, _, fakes = two_pipeline_run
    for fake in fakes.values():
        assert fake.calls[1:3] == [("搬迁补助费是多少？", ()), ("那过渡期多久？", ("搬迁补助费是多少？",))]
        assert len(fake.calls) == 5


def test_report_md_shows_pipelines_side_by_side_and_the_worst_items(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, out, _ = two_pipeline_run
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | ours | baseline |" in md
    assert "| hit@5 | 0.667 | 0.333 |" in md
    assert "Each cell: ours / baseline" in md and "| unanswerable | 1 |" in md
    worst = md.split("## Worst items (ours)")[1]
    assert worst.index("r-4") < worst.index("r-2")  # a false refusal ranks above a citation slip
    assert "false refusal" in worst and "retrieved but not cited; key facts missing: 24个月" in worst
    assert "r-1" not in worst and "r-3" not in worst  # nothing went wrong with them
    assert "| id | kind | question | what went wrong | evidence rank | key facts | baseline |" in worst


def test_report_png_is_a_valid_png_image(two_pipeline_run: tuple[int, Path, Any]) -> None:
    from matplotlib.image import imread

    _, out, _ = two_pipeline_run
    data = (out / "report.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = imread(out / "report.png").shape
    assert width > 600 and height > 300


def test_single_pipeline_report_has_no_pipelines_key_but_per_pipeline_rows(tmp_path: Path, gold_file: Path) -> None:
    assert run_cli(gold_file, tmp_path / "out", "baseline", {"baseline": FakePipeline("baseline", baseline_script)}) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert set(report) == {"summary", "by_kind", "by_tag", "by_rule", "by_reason", "settings_fingerprint",
                           "policy_fingerprint", "items"}
    assert report["by_rule"] == {}  # the baseline has no answer policy
    assert report["summary"]["refusal_rate"] == 0.0
    assert "| metric | baseline |" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_a_crashing_item_is_reported_and_the_exit_status_is_1(tmp_path: Path, gold_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def flaky(question: str, history: tuple[str, ...]) -> Answer:
        if question == "办法有效期多久？":
            raise TimeoutError("LLM did not answer")
        return ours_script(question, history)

    assert run_cli(gold_file, tmp_path / "out", "ours", {"ours": FakePipeline("ours", flaky)}) == 1
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["items"][3]["results"]["ours"]["error"] == "TimeoutError: LLM did not answer"
    assert "1 answer call(s) raised" in capsys.readouterr().err


def test_bad_gold_file_exits_1_before_any_pipeline_is_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**GOLD[0], "kind": "trivia"}, ensure_ascii=False) + "\n", encoding="utf-8")
    built: list[str] = []
    code = main(["run", "--gold", str(bad), "--out", str(tmp_path / "out"), "--pipeline", "ours"],
                factories={"ours": lambda: built.append("ours") or FakePipeline("ours")})  # type: ignore[func-returns-value]
    assert code == 1 and built == [] and not (tmp_path / "out").exists()
    assert f"{bad}:1: field 'kind'" in capsys.readouterr().err


def test_unknown_pipeline_name_is_a_usage_error(tmp_path: Path, gold_file: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--gold", str(gold_file), "--out", str(tmp_path), "--pipeline", "ours,bm25"])
    assert info.value.code == 2


def test_markdown_renders_from_a_saved_report_alone(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, out, _ = two_pipeline_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    saved = (out / "report.md").read_text(encoding="utf-8")
    assert render_markdown(report).split("## Overall")[1] == saved.split("## Overall")[1]


def test_cjk_font_is_used_when_installed_and_ascii_labels_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    dejavu = font_manager.FontEntry(fname="DejaVuSans.ttf", name="DejaVu Sans")
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [dejavu])
    assert cjk_font() is None
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [dejavu, font_manager.FontEntry(fname="wqy.ttc", name="WenQuanYi Micro Hei")])
    assert cjk_font() == "WenQuanYi Micro Hei"


def test_per_tag_summaries_count_an_item_under_each_of_its_tags(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, out, _ = two_pipeline_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert list(report["by_tag"]) == ["table", "near-miss", "nm-city", "citizen"]
    table = report["by_tag"]["table"]  # r-1 (right) and r-4 (falsely refused)
    assert table["n"] == 2 and table["hit_at_5"] == 0.5 and table["false_refusal_rate"] == 0.5
    assert report["by_tag"]["near-miss"]["refusal_rate"] == 1.0
    assert "## By tag" in (out / "report.md").read_text(encoding="utf-8")


def test_per_rule_counts_separate_firing_from_deciding_on_each_side(two_pipeline_run: tuple[int, Path, Any]) -> None:
    _, out, _ = two_pipeline_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["by_rule"] == {
        "city_not_in_corpus": {"fired_answerable": 0, "fired_unanswerable": 1, "decided_answerable": 0, "decided_unanswerable": 1},
        "value_not_stated": {"fired_answerable": 1, "fired_unanswerable": 1, "decided_answerable": 1, "decided_unanswerable": 0},
    }
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| value_not_stated | 1 | 1 | 1 | 0 |" in md
    assert report["by_reason"] == {"city_not_in_corpus": {"answerable": 0, "unanswerable": 1},
                                   "value_not_stated": {"answerable": 1, "unanswerable": 0}}
    assert "| value_not_stated | 1 | 0 |" in md


def test_compare_puts_splits_side_by_side_with_the_gap(two_pipeline_run: tuple[int, Path, Any], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = two_pipeline_run
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    report["pipelines"]["ours"] = {**report["pipelines"]["ours"], "hit_at_5": 0.25}
    (tmp_path / "test.json").write_text(json.dumps(report), encoding="utf-8")
    table = tmp_path / "compare.md"
    code = main(["compare", "--report", f"dev={out / 'report.json'}", "--report", f"test={tmp_path / 'test.json'}",
                 "--out", str(table)])
    assert code == 0
    text = table.read_text(encoding="utf-8")
    assert "| metric | dev ours | dev baseline | test ours | test baseline | gap dev − test (ours) |" in text
    dev_hit = json.loads((out / "report.json").read_text(encoding="utf-8"))["summary"]["hit_at_5"]
    assert f"| hit@5 | {dev_hit:.3f} |" in text and f"{dev_hit - 0.25:+.3f} |" in text
    assert main(["compare", "--report", "dev"]) == 1 and "NAME=PATH" in capsys.readouterr().err
