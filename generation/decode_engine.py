"""The model side of continuous batching on transformers: prompt chunks, decoding steps and per-request control.

Why not transformers' own continuous batching (`init_continuous_batching`, `generate_batch`,
`ContinuousBatchingManager`, transformers 5.25 as installed here, read and run on this CPU):
- greedy or sampling (`do_sample`) and the seed are fixed per manager (`ContinuousBatchProcessor.do_sample`,
  `ContinuousBatchingConfig.seed`): a greedy request (temperature 0, internal rewrites, tests) and a persona's sampled
  one could not share a manager, nor could a regeneration draw with its own seed;
- `RepetitionPenaltyLogitsProcessor` is marked `supports_continuous_batching = False` and dropped, so our default
  repetition penalty (1.1) would silently stop applying; only temperature, top-k and top-p have per-request variants;
- it has no stop strings and no deadlines (`cancel_request` exists, so both would be emulated from outside);
- on CPU it runs the paged "varlen" path with SDPA over all the batch's tokens: 16 requests of 32 tokens on the 26M
  model ran at 4.0-5.4x sequential throughput where this loop ran at 5.4-6.4x in the same runs
  (benchmarks/RESULTS.md, `library_16`).
So the loop is ours, on transformers' model forward and `DynamicCache` (`generation.kv_batch`), with per-row
sampling (`generation.sampling`) and per-row control, and the library's manager is measured, not used.

Contract (`DecodeEngine`, driven by `generation.batching.ContinuousBatcher` from its worker thread):
- `admit(jobs)`: each job's prompt is looked up in the prefix cache; the reusable prefix's KV is copied in and only
  the rest of the prompt is left to read. Jobs admitted together form one prefill group.
- `step()`: every prefill group reads its next chunk of at most `prefill_chunk_tokens` tokens per row (one
  forward pass per group); a row that has read its whole prompt samples its first token, offers its prompt to the
  prefix cache, and joins the running batch; then the running batch decodes one token per row (one forward pass),
  each row with its own temperature, top-p, top-k, repetition penalty and seed.
- Per row, after each token: the model's EOS ends it (`stop`); its stop strings are checked on the decoded text (the
  reply is cut before the stop, `stop`); `max_new_tokens` ends it (`length`); a passed deadline or a cancelled
  caller drops it at the next `release()`. Text deltas stream to the job as soon as they cannot be the start of a
  stop string or of an incomplete character (only when the caller streams or has stop strings: a plain `generate`
  is decoded once, at the end).
"""

from __future__ import annotations

import functools
import time
from typing import Any, cast

from generation.backend import apply_stops, stop_holdback
from generation.batching import Job
from generation.kv_batch import ModelRunner, RowBatch
from generation.prefix_cache import PrefixCache
from generation.sampling import choose, row_generator
from generation.types import StreamEvent


class DecodeEngine:
    def __init__(self, runner: ModelRunner, tokenizer: Any, eos_ids: set[int], *, prefill_chunk_tokens: int,
                 prefix_cache: PrefixCache) -> None:
        self.runner = runner
        self.tokenizer = tokenizer
        self.eos_ids = eos_ids
        self.chunk = prefill_chunk_tokens
        self.prefix_cache = prefix_cache
        self.groups: list[RowBatch] = []  # rows still reading their prompt, one batch per admission
        self.running: RowBatch | None = None  # rows decoding
        self.decode_steps = 0
        self.prefill_passes = 0

    @property
    def rows(self) -> int:
        return sum(g.size for g in self.groups) + (self.running.size if self.running is not None else 0)

    # -- admission ----------------------------------------------------------------------------------------
    def admit(self, jobs: list[Job]) -> None:
        import torch

        with torch.inference_mode():
            self._admit(jobs)

    def _admit(self, jobs: list[Job]) -> None:
        singles = []
        for job in jobs:
            cache, cached = self.prefix_cache.lookup(job.prompt_ids)
            job.cached_tokens = cached
            job.pending = list(job.prompt_ids[cached:])
            job.generator = row_generator(job.sampling)
            singles.append(RowBatch.single(self.runner, job, job.prompt_ids, cache, cached))
        self.groups.append(RowBatch.concat(singles))

    # -- model work ---------------------------------------------------------------------------------------
    def step(self) -> None:
        import torch

        with torch.inference_mode():
            self._step()

    def _step(self) -> None:
        ready = [b for b in (self._prefill(g) for g in self.groups) if b is not None]
        self.groups = [g for g in self.groups if g.size]
        if ready:
            self.running = RowBatch.concat(([self.running] if self.running is not None else []) + ready)
            self._drop_done()
        if self.running is not None and self.running.size:
            self._decode(self.running)

    def _prefill(self, group: RowBatch) -> RowBatch | None:
        """Read the next prompt chunk of every row; rows that finished their prompt come back with a first token."""
        jobs: list[Job] = group.rows
        segments = [job.pending[:self.chunk] for job in jobs]
        logits = group.extend(segments)
        self.prefill_passes += 1
        for job, segment in zip(jobs, segments, strict=True):
            del job.pending[:len(segment)]
        finished = [i for i, job in enumerate(jobs) if not job.pending]
        if not finished:
            return None
        for i in finished:
            job = jobs[i]
            self.prefix_cache.offer(job.prompt_ids, functools.partial(group.row_kv, i))
        rows = [jobs[i] for i in finished]
        tokens = choose(logits[finished] if len(finished) < len(jobs) else logits, [job.sampling for job in rows],
                        group.seen[finished], [job.generator for job in rows])
        batch = group.take(finished)
        self._accept(batch, tokens)
        return batch

    def _decode(self, batch: RowBatch) -> None:
        jobs: list[Job] = batch.rows
        logits = batch.extend([[cast(int, job.last_token)] for job in jobs])  # every decoding row has sampled one
        self.decode_steps += 1
        tokens = choose(logits, [job.sampling for job in jobs], batch.seen, [job.generator for job in jobs])
        self._accept(batch, tokens)

    # -- per-row control ------------------------------------------------------------------------------------
    def _accept(self, batch: RowBatch, tokens: list[int]) -> None:
        batch.mark_seen(tokens)
        now = time.monotonic()
        for job, token in zip(batch.rows, tokens, strict=True):
            if job.expire(now):
                continue
            if token in self.eos_ids:
                self._finish(job, "stop")
                continue
            job.tokens.append(token)
            job.last_token = token
            if job.streaming or job.stop:
                self._emit(job)
            if job.finish_reason is None and len(job.tokens) >= job.max_new_tokens:
                self._finish(job, "length")

    def _emit(self, job: Job, final: bool = False) -> bool:
        text, stopped = apply_stops(self.tokenizer.decode(job.tokens, skip_special_tokens=True), job.stop)
        end = len(text.rstrip("\ufffd"))
        if not (stopped or final):
            # Hold back what may be the start of a stop sequence or of an incomplete multi-byte character.
            end -= stop_holdback(job.stop)
        if end > job.emitted_chars and (job.streaming or final or stopped):
            job.push(StreamEvent(text=text[job.emitted_chars:end]))
            job.emitted_chars = end
        if stopped and not final:
            self._finish(job, "stop")
        return stopped

    def _finish(self, job: Job, reason: str) -> None:
        job.finish_reason = reason
        self._emit(job, final=True)
        job.push(StreamEvent(text="", finish_reason=reason, prompt_tokens=len(job.prompt_ids),
                             completion_tokens=len(job.tokens)))

    # -- leaving ------------------------------------------------------------------------------------------
    def _drop_done(self) -> None:
        now = time.monotonic()
        for batch in [*self.groups, *([self.running] if self.running is not None else [])]:
            alive = [i for i, job in enumerate(batch.rows) if not job.expire(now)]
            if len(alive) < batch.size:
                batch.keep(alive)
        self.groups = [g for g in self.groups if g.size]
        if self.running is not None and not self.running.size:
            self.running = None

    def release(self) -> None:
        import torch

        with torch.inference_mode():
            self._drop_done()

    def reset(self) -> list[Job]:
        held = [job for g in self.groups for job in g.rows] + (self.running.rows if self.running is not None else [])
        self.groups, self.running = [], None
        return held
