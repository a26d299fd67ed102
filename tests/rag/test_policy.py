"""The answer policy's configuration: read from the settings object, switchable rules, a fingerprint."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.policy import PolicyConfig, Signals, irrelevant
from rag.rules import RULE_NAMES
from settings import Settings


def test_the_fingerprint_follows_thresholds_and_switched_off_rules() -> None:
    base = PolicyConfig()
    assert PolicyConfig().fingerprint() == base.fingerprint()
    assert PolicyConfig(min_coverage=0.5).fingerprint() != base.fingerprint()
    assert PolicyConfig(rules_off=frozenset({"wrong_city"})).fingerprint() != base.fingerprint()


def test_an_unknown_rule_name_is_refused_with_the_names_to_choose_from() -> None:
    with pytest.raises(ValueError, match="unknown rule") as info:
        PolicyConfig(rules_off=frozenset({"no_such_rule"}))
    assert all(name in str(info.value) for name in RULE_NAMES)


def test_the_policy_is_read_from_the_settings_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_GATE_MIN_COVERAGE", "0.52")
    monkeypatch.setenv("RAG_RULES_OFF", "wrong_city, value_not_stated")
    config = PolicyConfig.from_settings(Settings())
    assert config.min_coverage == 0.52 and config.rules_off == {"wrong_city", "value_not_stated"}
    assert PolicyConfig.from_settings(Settings(_env_file=None)).min_dense == PolicyConfig().min_dense  # type: ignore[call-arg]


def test_a_question_in_another_language_is_judged_in_the_cross_lingual_space_when_there_is_one() -> None:
    english = Signals(coverage=0.0, dense=0.95, named=False, cross_lingual=True, passages=8, cross=0.2)
    assert irrelevant(english, 0.45, 0.86, 0.75, min_cross=0.31)  # e5's high score says nothing across languages
    assert not irrelevant(replace(english, cross=0.4), 0.45, 0.86, 0.75, min_cross=0.31)
    no_space = replace(english, cross=None)  # an index built without the cross-lingual space: e5 judges
    assert not irrelevant(no_space, 0.45, 0.86, 0.75, min_cross=0.31)
    assert irrelevant(replace(no_space, dense=0.7), 0.45, 0.86, 0.75, min_cross=0.31)
    chinese = Signals(coverage=0.9, dense=0.9, named=False, cross_lingual=False, passages=8, cross=0.0)
    assert not irrelevant(chinese, 0.45, 0.86, 0.75, min_cross=0.31)  # a Chinese question never reads `cross`
