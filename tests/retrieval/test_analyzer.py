from __future__ import annotations

from retrieval import KoreanAnalyzer


def test_inflected_predicates_share_their_lemma(analyzer: KoreanAnalyzer) -> None:
    assert "헤어지다" in analyzer.analyze("어제 헤어졌어요")
    assert "헤어지다" in analyzer.analyze("헤어지면 어떡해")


def test_particles_and_endings_are_dropped(analyzer: KoreanAnalyzer) -> None:
    terms = analyzer.analyze("여자친구가 데이트 시간을 너무 안 지켜.")
    assert terms == ["여자", "친구", "데이트", "시간", "너무", "안", "지키다"]


def test_negation_adverbs_are_kept(analyzer: KoreanAnalyzer) -> None:
    assert "안" in analyzer.analyze("전화 안 받아")
    assert "못" in analyzer.analyze("잠을 못 잤어")


def test_numbers_and_latin_are_kept_lowercased(analyzer: KoreanAnalyzer) -> None:
    terms = analyzer.analyze("ＧＰＴ-4 모델은 2023년에 나왔어")
    assert {"gpt", "4", "2023", "모델", "나오다"} <= set(terms)


def test_spacing_variants_give_the_same_terms(analyzer: KoreanAnalyzer) -> None:
    assert analyzer.analyze("3박4일 놀러가고 싶다") == analyzer.analyze("3박 4일 놀러 가고 싶다")


def test_empty_and_symbol_only_inputs_give_no_terms(analyzer: KoreanAnalyzer) -> None:
    assert analyzer.analyze_many(["", "   ", "😀😀", "?!"]) == [[], [], [], []]


def test_batched_analysis_equals_one_by_one(analyzer: KoreanAnalyzer) -> None:
    texts = ["안녕하세요", "", "내일 부산 가는 기차 있어?", "고마워요 정말"]
    assert analyzer.analyze_many(texts) == [analyzer.analyze(t) for t in texts]


def test_version_names_the_kiwi_release(analyzer: KoreanAnalyzer) -> None:
    assert analyzer.version.startswith("kiwi-")
