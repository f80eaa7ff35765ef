"""Small, general Korean lexicons that type nouns and recognise anaphors.

Contract: every entry is ordinary Korean (calendar words, administrative regions, place-name suffixes, role
and kinship nouns, attribute nouns people ask about, demonstratives). Nothing here names a dialogue of a
test set; entity typing of unseen names comes from morphology (NNP, suffixes, role nouns) in `dst.analysis`.
"""

from __future__ import annotations

from korean.lexicon import (
    DAY_OFFSETS,
    DAY_PREFIXES,
    DEICTIC_PLACE_PRONOUNS,
    DEMONSTRATIVES,
    DISCOURSE_STEMS,
    EXPECTATION_NOUNS,
    EXTREMES,
    FOLLOWUP_ADVERBS,
    INTERROGATIVE_FORMS,
    INTERROGATIVE_STEMS,
    LIST_PLACES,
    NATIVE_COUNTERS,
    NATIVE_ORDINALS,
    OBJECT_PRONOUNS,
    ORDINAL_HEADS,
    ORDINAL_WORDS,
    PERSON_PRONOUNS,
    PLACE_PRONOUNS,
    POSITIONS,
    QUANTITY_UNITS,
    RELATIVE_DAYS,
    SIDE_PRONOUNS,
    SOCIAL_NOUNS,
    SOCIAL_STEMS,
    TIME_CATEGORIES,
    TIME_PREFIX_UNITS,
    TIME_PREFIXES,
    TIME_PRONOUNS,
    TIME_RELATIONAL,
    TIME_UNITS,
)

__all__ = [  # the closed classes come from `korean.lexicon`; dst reads them through this module as `lx.*`
    "DAY_OFFSETS",
    "DAY_PREFIXES",
    "DEICTIC_PLACE_PRONOUNS",
    "DEMONSTRATIVES",
    "EXPECTATION_NOUNS",
    "EXTREMES",
    "FOLLOWUP_ADVERBS",
    "LIST_PLACES",
    "NATIVE_COUNTERS",
    "NATIVE_ORDINALS",
    "OBJECT_PRONOUNS",
    "ORDINAL_HEADS",
    "ORDINAL_WORDS",
    "PERSON_PRONOUNS",
    "PLACE_PRONOUNS",
    "POSITIONS",
    "QUANTITY_UNITS",
    "RELATIVE_DAYS",
    "SIDE_PRONOUNS",
    "SOCIAL_NOUNS",
    "TIME_CATEGORIES",
    "TIME_PREFIXES",
    "TIME_PREFIX_UNITS",
    "TIME_PRONOUNS",
    "TIME_RELATIONAL",
    "TIME_UNITS",
]
# Stems of social formulas ("고마워요") and of discourse markers after a pronoun ("그거 알아?").
SOCIAL_PREDICATES = SOCIAL_STEMS
DISCOURSE_LEMMAS = DISCOURSE_STEMS
# Wh-words and wh-predicate stems of a fragment question ("부산은 어때?", "요금은 얼마야?").
LIGHT_PREDICATES = INTERROGATIVE_STEMS | INTERROGATIVE_FORMS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Calendar and time-of-day words; multi-token ones are stored without spaces ("다음주").
TIME_WORDS = _words(
    """오늘 내일 모레 글피 어제 그제 그저께 엊그제 주말 평일 아침 점심 저녁 밤 새벽 오전 오후 낮 정오 자정
    한낮 월요일 화요일 수요일 목요일 금요일 토요일 일요일 월욜 화욜 수욜 목욜 금욜 토욜 일욜 올해 내년
    작년 재작년 내후년 이번주 다음주 지난주 저번주 다음달 이번달 지난달 저번달 이번주말 다음주말
    지난주말 연휴 연말 연초 봄 여름 가을 겨울 설날 설 추석 크리스마스 성탄절 어린이날 새해 휴일 공휴일
    출근길 퇴근길 오늘밤 내일밤 당일 익일 이브 전야 초저녁 한밤중 밤늦게 이른아침 하루종일"""
)

# Parts of a period said after it ("8월 초", "5월 중순", "다음 주 말경"): closed grammatical class, with the time.
PERIOD_PARTS = _words("초 초순 상순 중순 하순 말 말경 경 즈음 무렵 전후")
# Suffixes that make a time approximate ("5시쯤", "3월경"): the time is still said.
APPROXIMATE_SUFFIXES = _words("쯤 경 께")

# Provinces, metropolitan cities and well-known cities/districts of Korea, and large foreign places.
REGIONS = _words(
    """서울 부산 대구 인천 광주 대전 울산 세종 경기 경기도 강원 강원도 충북 충남 충청 충청도 전북 전남 전라
    전라도 경북 경남 경상 경상도 제주 제주도 수원 성남 고양 용인 부천 안산 안양 남양주 화성 평택 의정부
    파주 시흥 김포 광명 하남 군포 오산 이천 구리 양평 가평 춘천 원주 강릉 속초 동해 삼척 평창 정선 청주
    충주 제천 천안 아산 공주 보령 서산 논산 당진 전주 군산 익산 남원 목포 여수 순천 광양 나주 담양 포항
    경주 김천 안동 구미 영주 문경 창원 진주 통영 사천 김해 밀양 거제 양산 남해 서귀포 울릉도 독도 강화도
    강남 강북 강서 강동 서초 송파 마포 용산 종로 중구 성동 광진 동대문 성북 노원 도봉 은평 서대문 양천
    구로 금천 영등포 동작 관악 중랑 명동 홍대 신촌 이태원 잠실 여의도 성수 압구정 청담 신사 합정 연남
    을지로 광화문 해운대 광안리 서면 남포동 판교 분당 일산 동탄 한국 미국 일본 중국 영국 프랑스 독일
    이탈리아 스페인 캐나다 호주 베트남 태국 필리핀 싱가포르 대만 홍콩 인도 러시아 뉴욕 도쿄 오사카 교토
    후쿠오카 파리 런던 베이징 상하이 방콕 다낭 하노이 괌 하와이 발리 세부 로마 바르셀로나 시드니 유럽
    아시아"""
)
# Rooms and parts of a home: the places of smart-home commands ("주방 조명 켜줘" -> "서재도").
ROOMS = _words(
    """거실 안방 침실 작은방 큰방 아이방 공부방 서재 주방 부엌 화장실 욕실 베란다 발코니 현관 다용도실 옷방
    드레스룸 차고 마당 옥상 지하실 사무실 회의실"""
)
# Endings of proper nouns that name places ("강남역", "성수동", "경복궁", "남산공원", "오렌지카페 연남점").
PLACE_SUFFIXES = (
    "특별시", "광역시", "해수욕장", "국립공원", "공원", "박물관", "미술관", "도서관", "기념관", "전시관", "체육관",
    "경기장", "백화점", "터미널", "공항", "시장", "마트", "대학교", "병원", "성당", "교회", "사찰", "타워", "대교",
    "해변", "계곡", "폭포", "호수", "온천", "마을", "거리", "광장", "호텔", "리조트", "펜션", "캠핑장", "해안", "대로",
    "정원", "수목원", "식물원", "동물원", "랜드", "월드", "파크", "전망대",
    # one-syllable endings that, on a proper noun, almost always name a place (others such as 도/시/사/리
    # end too many names and brands: 닌텐도, 해리)
    "궁", "역", "동", "구", "군", "읍", "면", "항", "점", "섬",
)
# Relational nouns that locate something relative to a place ("강남역 근처").
SPATIAL_NOUNS = _words("근처 주변 근방 인근 부근 앞 옆 뒤 쪽 방면 방향 일대 안 밖 건너편 맞은편")

# Role nouns that make the preceding name a person ("김민수 감독", "박지훈 선수").
ROLE_NOUNS = _words(
    """작가 감독 배우 가수 선수 선생님 선생 교수 대표 회장 사장 의원 대통령 장관 기자 코치 멤버 셰프 박사
    화가 시인 소설가 작곡가 작사가 프로듀서 유튜버 아나운서 앵커 개그맨 코미디언 모델 래퍼 댄서 디자이너
    총리 시장님 원장 씨 님 군 양 옹 여사 교주 주연 조연 저자 캐릭터 주인공 어린이 학생"""
)
# Common nouns that denote people ("친구 만나기로 했어" -> "걔").
PERSON_NOUNS = _words(
    """친구 엄마 아빠 어머니 아버지 부모님 동생 형 누나 언니 오빠 할머니 할아버지 삼촌 이모 고모 남편 아내
    와이프 남친 여친 남자친구 여자친구 애인 아들 딸 아기 조카 사촌 동료 상사 팀장 부장 과장 후배 선배
    손님 담임"""
)
# Category nouns of things with names ("그 영화", "그 식당"): an anaphor "그 + N" looks for an item.
ITEM_CATEGORIES = _words(
    """카메라 렌즈 이어폰 헤드폰 스피커 태블릿 시계 워치 청소기 냉장고 세탁기 에어컨 모니터 키보드 마우스
    자전거 기기 가전
    영화 책 소설 시집 만화 웹툰 노래 곡 앨범 드라마 예능 프로그램 게임 앱 제품 모델 폰 휴대폰 핸드폰
    노트북 차 자동차 식당 가게 카페 맛집 음식점 레스토랑 술집 빵집 호텔 숙소 펜션 메뉴 음식 요리 코스
    상품 브랜드 작품 공연 전시 뮤지컬 연극 축제 행사 대회 강의 수업 과목 회사 기업 팀 학교 대학 병원 약
    서비스 요금제 카드 옷 신발 가방"""
)
# Geographic kinds count too: "그 섬" / "그 산" / "그 절" point at a named place ("오동도", "한라산").
PLACE_CATEGORIES = _words("곳 장소 동네 도시 지역 나라 건물 매장 지점 역 섬 산 절 마을 공원 해변 바다 호수 골목 항구")

# What the air of a place and a day is like: asked of a place or a time, never of a product, a shop or a person.
WEATHER_NOUNS = _words("날씨 기온 습도 미세먼지 초미세먼지 황사 강수량 강수확률 일기예보 자외선")
# What people ask about a thing: the "topic" of a query, replaced by a new one in "색상은?".
ATTRIBUTE_NOUNS = WEATHER_NOUNS | _words(
    """온도 예보 비 눈 바람 가격 값
    요금 비용 금액 입장료 이용료 수수료 할인 가격대 영업시간 운영시간 개장시간 마감시간 휴무일 휴무
    정기휴일 주소 위치 전화번호 연락처 주차 주차비 메뉴 대표메뉴 색상 색깔 크기 사이즈 무게 용량 배터리
    성능 사양 스펙 두께 높이 길이 너비 출시일 재고 나이 생일 키 국적 소속 학력 고향 데뷔 음질 화질 디자인 방수 방수등급
    해상도 연비 주행거리 혈액형 결혼 취미 본명 평점 리뷰 후기 별점 평가 줄거리 출연진 러닝타임 상영시간
    상영관 시간표 페이지 분량 저자 장르 인구 면적 거리 소요시간 시간 교통 교통편 길 가는길 배차간격 노선
    환율 지수 주가 시세 금리 뜻 의미 유래 역사 특징 장점 단점 차이 후속작 신작 신곡 수상 경력 칼로리
    레시피 재료 효능 부작용 복용법 예약 체크인 체크아웃 와이파이 흡연 좌석 일정 순위 결과 점수 상대 중계
    티켓 배송 배송비 배송기간 도착일 도착예정일 예정일 송장번호 운송장 반품 교환 환불 진료시간 대기시간"""
)
# Words of a question that asks which one or whether there is one ("뭐 있어?", "어디가 좋아?", "추천해 줘"): its
# answer names a thing, which later follow-ups are about.
ASKING_FOR_ONE = _words("뭐 무엇 어떤 어느 어디 누구 누가 추천 있 찾")
# Particles (and 및) that join two nouns into one list or pair ("A와 B", "A랑 B", "A 및 B").
CONJUNCTION_PARTICLES = _words("와 과 이나 나 랑 이랑 하고 및")
# Particles of a setting: a name in 에 / 에서 says where, not which ("망원동에 있는 …", "'A'에서는 …").
SETTING_PARTICLES = _words("에 에서 서")
# The particles of a sentence's topic or subject (ᆫ: 은/는 contracted onto a pronoun, "그건").
TOPIC_OR_SUBJECT_PARTICLES = _words("은 는 ᆫ 이 가")

# Sino-Korean suffixes of a charge: a compound that ends in one asks what something costs ("설치비", "수강료",
# "보증금"), an attribute like 가격 whatever the domain.
CHARGE_SUFFIXES = ("비", "료", "금")


def is_charge(noun: str) -> bool:
    return len(noun) >= 3 and noun.endswith(CHARGE_SUFFIXES) and not noun.endswith(("자료", "재료", "음료"))


# Heads of product names: a noun compound ending in one is a thing ("발뮤다 토스터", "무선 청소기").
PRODUCT_NOUNS = _words(
    """카메라 렌즈 이어폰 헤드폰 스피커 태블릿 워치 청소기 냉장고 세탁기 건조기 에어컨 모니터 키보드 마우스
    노트북 휴대폰 핸드폰 스마트폰 토스터 에어프라이어 전자레인지 밥솥 공기청정기 가습기 제습기 드라이기
    선풍기 식기세척기 정수기 안마의자 프린터 공유기 충전기 보조배터리 유모차 카시트"""
)

# Endings of proper nouns that name organisations ("삼성전자", "국민은행").
ORG_SUFFIXES = (
    "전자", "은행", "그룹", "증권", "카드", "항공", "협회", "공사", "재단", "엔터", "엔터테인먼트", "방송", "일보"
)
# Nouns that head a place name after a name ("전주 한옥마을", "여의도 한강공원", "홍대입구역").
PLACE_HEADS = _words(
    """마을 공원 시장 해수욕장 해변 거리 광장 타워 공항 터미널 역 항 섬 산 궁 성당 사찰 절 호수 계곡 폭포
    온천 박물관 미술관 도서관 기념관 전시관 경기장 백화점 대학교 병원 교회 캠퍼스 호텔 리조트 점
    한옥마을 식물원 동물원 수목원 정원 파크 랜드 월드 케이블카 전망대 몰 아쿠아리움 테마파크 워터파크"""
)
# Motion verbs whose goal argument is a place ("태종대 가는 버스", "부산에 도착하면").
MOTION_VERBS = _words("가 오 도착하 출발하 들르 놀러가 여행가 이사가 이동하 향하 돌아가 돌아오")
# Compass areas that extend a region into an area ("서울 동쪽").
DIRECTIONS = _words("동쪽 서쪽 남쪽 북쪽 동부 서부 남부 북부 중앙 중심가 도심 시내 외곽")
# What a reply says of an option that is closed to the user: booked out, sold out, shut that day (a closed class,
# unlike 없다, which also says "no queue").
UNAVAILABLE = _words("마감 매진 품절 만석 휴무 휴관 불가")
# Categories of places people go to: a name offered for one of them can be "거기" / "그곳".
VENUE_CATEGORIES = _words(
    """식당 카페 맛집 음식점 레스토랑 술집 빵집 가게 호텔 숙소 펜션 모텔 리조트 게스트하우스 관광지 명소 여행지 공원
    박물관 미술관 전시관 매장 병원 약국 헬스장 학원 주차장 극장 영화관 서점 시장 마트 백화점
    수족관 아쿠아리움 동물원 식물원 수목원 도서관 체육관 과학관 기념관 천문대 놀이공원 테마파크 워터파크"""
)
