"""The shared KV layout: a row decoded in a batch whose rows joined at different steps, were read in chunks of
different lengths, or left, gets the same logits as the same row decoded alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from generation.kv_batch import ModelRunner, RowBatch


@pytest.fixture(scope="module")
def runner(random_lm_path: Path) -> ModelRunner:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(random_lm_path), dtype=torch.float32).eval()
    return ModelRunner(model, pad_id=0)


PROMPTS = [[5, 17, 300, 41, 9, 77, 12], [8, 1200, 3], [60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71]]


def alone(runner: ModelRunner, prompt: list[int], steps: int) -> tuple[list[torch.Tensor], list[int]]:
    """Logits of each step of greedy decoding, and the tokens chosen."""
    batch = RowBatch.single(runner, "row", prompt)
    logits = [batch.extend([prompt])[0]]
    tokens = [int(logits[-1].argmax())]
    for _ in range(steps):
        logits.append(batch.extend([[tokens[-1]]])[0])
        tokens.append(int(logits[-1].argmax()))
    return logits, tokens


@torch.inference_mode()
def test_rows_joining_at_different_steps_decode_as_if_alone(runner: ModelRunner) -> None:
    solo = [alone(runner, p, 8) for p in PROMPTS]
    first = RowBatch.single(runner, 0, PROMPTS[0])
    first.extend([PROMPTS[0]])
    for step in range(3):  # row 0 decodes alone for three steps
        first.extend([[solo[0][1][step]]])
    joiners = RowBatch.concat([RowBatch.single(runner, 1, PROMPTS[1]), RowBatch.single(runner, 2, PROMPTS[2])])
    logits = joiners.extend([PROMPTS[1], PROMPTS[2]])  # read together, with holes in the shorter row
    torch.testing.assert_close(logits[0], solo[1][0][0], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(logits[1], solo[2][0][0], atol=1e-4, rtol=1e-4)
    batch = RowBatch.concat([first, joiners])
    for step in range(4):
        fed = [solo[0][1][3 + step], solo[1][1][step], solo[2][1][step]]
        logits = batch.extend([[t] for t in fed])
        torch.testing.assert_close(logits[0], solo[0][0][4 + step], atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(logits[1], solo[1][0][1 + step], atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(logits[2], solo[2][0][1 + step], atol=1e-4, rtol=1e-4)
    batch.keep([1])  # rows 0 and 2 leave; the long row's extra columns are trimmed away
    assert batch.width == len(PROMPTS[1]) + 4
    logits = batch.extend([[solo[1][1][4]]])
    torch.testing.assert_close(logits[0], solo[1][0][5], atol=1e-4, rtol=1e-4)


@torch.inference_mode()
def test_a_row_continued_from_stored_keys_and_values_matches_one_read_whole(runner: ModelRunner) -> None:
    prompt = PROMPTS[2]
    whole, _ = alone(runner, prompt, 0)
    source = RowBatch.single(runner, "src", prompt)
    source.extend([prompt])
    kv = source.row_kv(0, 8)
    continued = RowBatch.single(runner, "row", prompt, runner.new_cache(kv), 8)
    torch.testing.assert_close(continued.extend([prompt[8:]])[0], whole[0], atol=1e-4, rtol=1e-4)


@torch.inference_mode()
def test_take_splits_rows_off_with_their_own_cache(runner: ModelRunner) -> None:
    solo = [alone(runner, p, 2) for p in PROMPTS[:2]]
    batch = RowBatch.concat([RowBatch.single(runner, i, p) for i, p in enumerate(PROMPTS[:2])])
    batch.extend(PROMPTS[:2])
    taken = batch.take([1])
    assert batch.rows == [0] and taken.rows == [1]
    torch.testing.assert_close(taken.extend([[solo[1][1][0]]])[0], solo[1][0][1], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(batch.extend([[solo[0][1][0]]])[0], solo[0][0][1], atol=1e-4, rtol=1e-4)
