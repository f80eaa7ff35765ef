"""A small, general Korean search-synonym table: loanword/native and spelling variants common in queries.

Each group lists interchangeable query terms; a rewrite swaps one whole word (eojeol) for another member of its
group. Kept short on purpose: a wrong synonym costs a useless query, so only near-exact equivalents go here.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("메일", "이메일", "전자우편"),
    ("핸드폰", "휴대폰", "휴대전화", "스마트폰"),
    ("티비", "TV", "텔레비전"),
    ("컴퓨터", "PC", "피씨"),
    ("노트북", "랩탑"),
    ("사진", "이미지"),
    ("영상", "동영상", "비디오"),
    ("가격", "값", "비용"),
    ("후기", "리뷰", "사용기"),
    ("맛집", "음식점", "식당"),
    ("카페", "커피숍"),
    ("날씨", "일기예보", "기상"),
    ("기온", "온도"),
    ("일정", "스케줄", "스케쥴"),
    ("약속", "일정"),
    ("주소", "위치"),
    ("전화번호", "연락처"),
    ("할인", "세일"),
    ("구매", "구입"),
    ("방법", "하는법"),
    ("영화관", "극장"),
    ("아이", "어린이", "아동"),
    ("병원", "의원"),
    ("자동차", "차량"),
    ("여행", "관광"),
    ("숙소", "호텔", "펜션"),
    ("뉴스", "기사", "소식"),
    ("노래", "음악"),
    ("와이파이", "무선인터넷"),
)

SYNONYMS: dict[str, tuple[str, ...]] = {}
for group in GROUPS:
    for word in group:
        SYNONYMS.setdefault(word, tuple(w for w in group if w != word))
