"""The shared text conventions of an Answer record."""

from __future__ import annotations

from rag.records import CLOSEST_HEADING, LEADS_PREFIX, without_leads_line


def test_a_refusal_loses_only_its_leads_line() -> None:
    text = "\n".join(["根据现有文件无法回答该问题。", "相关文件没有规定所问的具体金额。",
                      f"{LEADS_PREFIX}《晋城市航空应急救援服务实施方案》晋市政办〔2021〕12号", CLOSEST_HEADING,
                      "根据《晋城市航空应急救援服务实施方案》（晋市政办〔2021〕12号）：", "二、服务单位 …[S1]"])
    kept = without_leads_line(text).split("\n")
    assert kept == [line for line in text.split("\n") if not line.startswith(LEADS_PREFIX)] and len(kept) == 5
    assert CLOSEST_HEADING in kept and not any(LEADS_PREFIX in line for line in kept)
    assert without_leads_line("没有线索行的拒答。") == "没有线索行的拒答。"
