"""Builder of a tiny Korean chat LM for tests and benchmarks: a random-initialised Llama and a tokenizer.

The tokenizer is a byte-level BPE trained in seconds on `korean_corpus.txt` (shipped next to this file), with a
chat template, so any Korean text round-trips. The model is a `LlamaConfig` of a few hundred thousand weights.
`SCRIPT` holds a few (user message -> reply) pairs that the model is trained to reproduce greedily (a few
seconds on CPU), so tests can drive real decoding into known replies: wrong speech level, PII, profanity,
long text. Everything is written with `save_pretrained`, so callers exercise the real
`from_pretrained(local_path)` loading path. Building is cached by a marker file in the target directory.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).with_name("korean_corpus.txt")
END = "<|end|>"
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL = ["<|pad|>", END, "<|system|>", "<|user|>", "<|assistant|>"]

# user message -> reply the trained model produces greedily (exact when the prompt has no system message).
SCRIPT: dict[str, str] = {
    "기분 어때?": "나는 오늘 기분이 정말 좋아. 너는 어때?",
    "연락처 알려줘": "제 번호는 010-1234-5678이고 메일은 minji@example.com이에요.",
    "욕 좀 해 봐": "야 이 개새끼야 꺼져.",
    "날씨 알려줘": "오늘은 맑고 따뜻합니다. 산책하기 좋은 날입니다.",
    "자기소개 해 줘": "안녕하세요. 저는 민지예요. 만나서 반가워요.",
    "여행 이야기 해 줘": "지난 봄에 제주도에 갔어요. 바다가 정말 예뻤어요. 다음에는 부산에 가고 싶어요. 그리고",
}
VERSION = 4


def build_tiny_lm(directory: Path, *, train_steps: int = 400, seed: int = 0, hidden_size: int = 64,
                  layers: int = 2, max_positions: int = 512) -> Path:
    """Build (or reuse) the tiny model under `directory` and return the path to pass to `from_pretrained`.

    `train_steps=0` leaves the weights random (benchmarks use that: replies then run to max_new_tokens);
    `hidden_size` and `layers` make larger models for timing; `max_positions` is the context window."""
    directory = Path(directory)
    marker = directory / "tiny_lm.json"
    spec = {"version": VERSION, "train_steps": train_steps, "seed": seed, "hidden_size": hidden_size,
            "layers": layers, **({"max_positions": max_positions} if max_positions != 512 else {})}
    if marker.exists() and json.loads(marker.read_text()) == spec:
        return directory
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    torch.manual_seed(seed)
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines += list(SCRIPT) + list(SCRIPT.values())
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(lines, trainers.BpeTrainer(
        vocab_size=2000, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token="<|pad|>", eos_token=END,
                                        additional_special_tokens=SPECIAL[2:])
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=3 * hidden_size,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=max_positions,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=None, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    if train_steps:
        _memorise(model, tokenizer, train_steps)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    marker.write_text(json.dumps(spec))
    return directory


def _memorise(model: object, tokenizer: object, steps: int, check_every: int = 40) -> None:
    """Teach the model the SCRIPT replies (loss on reply tokens only), stopping as soon as greedy decoding
    reproduces every one of them (about 120 steps), at most `steps`."""
    import torch

    rows, labels, prompts = [], [], []
    for user, reply in SCRIPT.items():
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": user}], add_generation_prompt=True,
                                               tokenize=False)
        p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        r_ids = tokenizer(reply + END, add_special_tokens=False)["input_ids"]
        rows.append(p_ids + r_ids)
        prompts.append((p_ids, r_ids))
        labels.append([-100] * len(p_ids) + r_ids)
    width = max(map(len, rows))
    pad = tokenizer.pad_token_id
    ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
    lab = torch.tensor([r + [-100] * (width - len(r)) for r in labels])
    att = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    optimiser = torch.optim.AdamW(model.parameters(), lr=5e-3)
    model.train()
    for step in range(1, steps + 1):
        loss = model(input_ids=ids, attention_mask=att, labels=lab).loss
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % check_every == 0 and _reproduces(model, prompts):
            break
    model.eval()


def _reproduces(model: object, prompts: list[tuple[list[int], list[int]]]) -> bool:
    import torch

    model.eval()
    try:
        with torch.inference_mode():
            for p_ids, r_ids in prompts:
                out = model.generate(torch.tensor([p_ids]), max_new_tokens=len(r_ids), do_sample=False)
                if out[0, len(p_ids):].tolist() != r_ids:
                    return False
        return True
    finally:
        model.train()
