"""Quote matching: substring after NFKC and whitespace removal, else the 60% longest-common-substring rule."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from evals.matching import SUPPORT_THRESHOLD, coverage, first_supporting_rank, longest_common_substring, supports

QUOTE_20 = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # 20 distinct characters


def test_quote_matches_across_fullwidth_halfwidth_and_line_breaks() -> None:
    passage = "第十二条（一）征收住宅房屋，搬迁补助费\n18 元／平方米，实行产权调换期房安置的支付两次。"
    assert supports(passage, "征收住宅房屋，搬迁补助费 18元/平方米，实行产权调换期房安置的支付两次")
    assert supports("IV 级应急响应命令经市指挥部指挥长同意后", "Ⅳ级应急响应命令")  # Roman numeral unified


def test_sixty_percent_common_run_supports_and_fifty_five_does_not() -> None:
    at_threshold = "前文" + QUOTE_20[:12] + "后文"           # 12/20 = 60 % in one run
    below = "前文" + QUOTE_20[:11] + "，" + QUOTE_20[12:18]  # longest run 11/20 = 55 %, the rest split off
    assert coverage(at_threshold, QUOTE_20) == 0.6 and supports(at_threshold, QUOTE_20)
    assert coverage(below, QUOTE_20) == 0.55 and not supports(below, QUOTE_20)
    assert SUPPORT_THRESHOLD == 0.6


def test_scattered_characters_do_not_add_up_to_support() -> None:
    scattered = "，".join(QUOTE_20)  # every character present, but no run longer than one
    assert coverage(scattered, QUOTE_20) == 1 / 20 and not supports(scattered, QUOTE_20)


def test_empty_quote_supports_nothing() -> None:
    assert not supports("任何文本", "") and not supports("任何文本", " \n")


def test_first_supporting_rank_is_one_based_and_none_when_absent() -> None:
    passages = ["无关。", "也无关。", "前文" + QUOTE_20 + "后文", QUOTE_20]
    assert first_supporting_rank(passages, QUOTE_20) == 3
    assert first_supporting_rank(passages[:2], QUOTE_20) is None


def _lcs_dp(a: str, b: str) -> int:
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, start=1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="的的的是是甲乙ab", max_size=40), st.text(alphabet="的的是甲乙丙ab", max_size=60))
def test_longest_common_substring_equals_the_dynamic_programming_answer(a: str, b: str) -> None:
    # repeated characters are where difflib's autojunk heuristic would go wrong; it is off
    assert longest_common_substring(a, b) == _lcs_dp(a, b)


def test_lcs_is_exact_on_passage_sized_text_with_frequent_characters() -> None:
    passage = ("的" * 300 + "市人民政府的") * 4 + "征收住宅房屋的搬迁补助费" + "的" * 200
    quote = "关于征收住宅房屋的搬迁补助费标准"
    assert longest_common_substring(quote, passage) == len("征收住宅房屋的搬迁补助费")
