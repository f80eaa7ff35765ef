"""Closed-class Korean words: the small, finite word classes every package reads the same way.

Contract: every entry is a word of a closed class of the language (pronouns, demonstratives, interrogatives, light
predicates, ordinals and counters, time deixis, connectives, social formulas), written as Kiwi analyses it
(`*_FORMS`: surface morphemes; `*_LEMMAS`: predicate lemmas as `Token.lemma` gives them, "어떻다"). A list is the
right tool here because these classes do not grow with new domains; open-class knowledge (which nouns are places,
products or people) is learned or read from morphology in the leaves, never added here. Nothing here names an
evaluation case.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# -- pronouns and demonstratives (Kiwi NP / MM) -------------------------------------------------------------------
OBJECT_PRONOUNS = _words("그거 그것 이거 이것 저거 저것")
PLACE_PRONOUNS = _words("거기 그곳 저기 저곳 여기 이곳")
# "That side": a place when it takes a locative particle or names the side's noun ("그쪽으로 갈게", "그쪽 매장"), but
# as a subject or topic also the person addressed ("그쪽은 이름이 뭐예요?"), which is no reference to fill in.
SIDE_PRONOUNS = _words("그쪽 저쪽")
DEICTIC_PLACE_PRONOUNS = _words("여기 이곳")  # often the speaker's own location
PERSON_PRONOUNS = _words("걔 그분 그녀 얘 쟤 이분 저분 그이")
TIME_PRONOUNS = _words("그때 그날 이때 그즈음 그무렵 당시 그당시")
DEMONSTRATIVES = _words("그 이 저")
# First and second person; the plain and humble forms of each pair follow the speech level (나 <-> 저).
PERSONAL_PRONOUNS = _words("나 저 너 니 네 당신 자기 우리 저희 너희")
HUMBLE_PRONOUNS = {"나": "저", "우리": "저희", "너": "당신"}

# -- interrogatives -------------------------------------------------------------------------------------------------
# Wh-words that are nouns, adverbs or determiners (surface forms).
INTERROGATIVE_FORMS = _words("언제 어디 뭐 무엇 무어 누구 누 누가 왜 몇 며칠 얼마 얼마나 어느 무슨 어떤")
# Wh-predicate stems (어떻다 "how", 어떠하다, 어떡하다, 어쩌다).
INTERROGATIVE_STEMS = _words("어떻 어떠 어떠하 어떡하 어쩌")
INTERROGATIVE_LEMMAS = frozenset(stem + "다" for stem in INTERROGATIVE_STEMS)

# -- light predicates: carry no intent of their own ("오늘 날씨 어때" asks what "오늘 날씨" asks) ------------------
LIGHT_PREDICATE_LEMMAS = _words("하다 되다 있다 없다 어떻다 그렇다 이렇다 저렇다 아니다")
# Adjectives that judge rather than describe ("좋은 데", "나은 거"): they say the speaker wants it, not what it is like.
# A closed class, so a list: an option a reply calls 좋다 is not the one a user's "좋은 데로" picks.
JUDGING_STEMS = _words("좋 낫 괜찮 나쁘 싫")

# -- time deixis: frames a question without being its topic ("오늘 날씨" / "오늘 기분" share only the day) ---------
TIME_DEIXIS = _words("""오늘 내일 모레 어제 그제 그저께 지금 이번 다음 지난 요즘 요새 아까 나중 이제 올해 작년 내년
                     금년 방금 현재 당장""")
# Relative prefixes that make a time only with a calendar unit ("다음 주", not "다음 영화").
TIME_PREFIXES = _words("이번 다음 지난 저번 오는 다다음 올")
TIME_PREFIX_UNITS = _words("주 달 해 주말 월 년 학기 분기")
# Bound nouns that turn a number into a time ("7시", "12월 24일", "30분").
TIME_UNITS = _words("시 분 월 일 년 시반 반")
# Nouns after a demonstrative that make it a time ("그 날", "그 시간", "그 회차": a scheduled session is a time), and
# the relational ones that stay ("그 전에").
TIME_CATEGORIES = _words("때 날 시간 시간대 시각 시점 날짜 요일 주 달 해 무렵 즈음 당시 시절 전 후 다음 기간 시기 회차 "
                         "타임")
TIME_RELATIONAL = _words("전 후 다음 이후 이전 뒤")
# Nouns of an expectation or a norm that a comparison measures against ("생각보다 비싸네", "평소보다 붐벼"): with 보다
# they are an adverb of degree, never a thing talked about; a closed class of words.
EXPECTATION_NOUNS = _words("생각 예상 기대 평소 보통 상상 예전")
# Days one day before or after another ("그 전날", "그 이튿날"), with the offset in days: a closed class of words.
DAY_OFFSETS = {"전날": -1, "전일": -1, "다음날": 1, "이튿날": 1, "익일": 1}
# Days named only relative to another day ("행사 당일", "그 전날"): they point back themselves, so they never
# stand for the day a later "그날" means.
RELATIVE_DAYS = frozenset(DAY_OFFSETS) | _words("당일 그날 이날 그때 당시")

# -- numerals, ordinals and counters ------------------------------------------------------------------------------
NATIVE_ORDINALS = {"첫": 1, "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9,
                   "열": 10}
ORDINAL_WORDS = {"첫째": 1, "둘째": 2, "셋째": 3, "넷째": 4, "다섯째": 5, "마지막": -1}
# Ordinal prefixes of day nouns glued into one word: 첫날, 전날, 다음날, 이튿날, 마지막날.
DAY_PREFIXES = _words("첫 전 다음 이튿 사흗 마지막 둘째 셋째 넷째 당 그다음")
# Head nouns of "두 번째 거": they mean "the item" and disappear when it is named.
ORDINAL_HEADS = _words("거 것 꺼 곳 집 번 개 데 분")
# Where an option was said, as an ordinal: "처음 말한 거" is the first, "나중에 말한 거" the last; the places of a
# list (앞, 위, 뒤, 아래, 끝) only after an extreme ("맨 앞에 말한 거"), since "집 뒤에 있는 거" is somewhere.
POSITIONS = {"처음": 1, "먼저": 1, "나중": -1}
LIST_PLACES = {"앞": 1, "위": 1, "끝": -1, "뒤": -1, "아래": -1}
# Words that make a position the extreme one: "맨 앞", "제일 먼저", "가장 뒤".
EXTREMES = _words("맨 제일 가장")
# Counters a native numeral counts with ("두 명", "다섯 개", "세 잔").
NATIVE_COUNTERS = _words("명 개 살 잔 병 권 장 대 인분 마리 벌 켤레 그릇 시간 곳")
QUANTITY_UNITS = _words("명 개 원 만원 살 세 시간 일간 박 인분 권 장 대 잔 병 킬로 km 미터 도 층 번 편"
                        # mass, length and volume symbols after a number ("300g", "110cm") measure (watts or
                        # gigabytes often name a model: "400W 패널")
                        " g kg mg ml mL L cm mm m")

# -- discourse ------------------------------------------------------------------------------------------------------
# Social formulas (greetings, thanks, apologies): nouns and predicate stems. Such a turn asks nothing.
SOCIAL_NOUNS = _words("안녕 감사 수고 축하 미안 죄송 반가 실례 고생 사랑 화이팅 파이팅 굿모닝 굿나잇")
SOCIAL_STEMS = _words("고맙 반갑 미안하 감사하 안녕하 죄송하 수고하 축하하 고생하")
# Stems after a pronoun that make it a discourse marker, not a reference ("그거 알아?", "그건 그렇고", "그 말", "그거랑
# 별개로").
DISCOURSE_STEMS = _words("알 그렇 말 별개")
# Leading connectives and fillers of a follow-up ("그럼 부산은?").
FOLLOWUP_ADVERBS = _words("그럼 그러면 그리고 그래서 또 혹시 그럼요 아 음 그렇다면 그다음")

# -- personal names -------------------------------------------------------------------------------------------------
# Korean family names: a closed class (about 280 in the census, these cover nearly everyone). Kiwi has no model of
# given names and cuts an unknown "강태민" or "한서린" into pieces, so a name is read by its shape instead: a family
# name and a one- or two-syllable given name, written as one word (`name_shaped`).
SURNAMES = _words("""김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 심 노
    하 곽 성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 왕
    금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 태 목 형 피 두 감 음 빈 동 온 호 범 좌 팽 승 상 시""")
COMPOUND_SURNAMES = _words("남궁 황보 제갈 사공 선우 서문 독고 동방")


def name_shaped(word: str) -> bool:
    """Whether `word` has the shape of a Korean full name: a family name then a two-syllable given name (or a
    compound family name then two syllables), in Hangul. Shape only: callers check that the word is not a
    common noun."""
    if not word or not all("가" <= ch <= "힣" for ch in word):
        return False
    return (len(word) == 3 and word[0] in SURNAMES) or (len(word) == 4 and word[:2] in COMPOUND_SURNAMES)
