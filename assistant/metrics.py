"""Prometheus series of the assistant, on a registry owned by one `Metrics` object (one per Services).

A private registry (not prometheus_client's global one) lets several apps live in one process (tests, workers
behind one exporter) without duplicate-series errors. Series, all prefixed `assistant_`:
  http_requests_total{method,route,status}, http_request_duration_seconds{method,route}
  turns_total{source,outcome}                 one per turn: outcome ok | failed | refused | cancelled, source
                                              retrieve | generate | fallback (none: ended without a reply)
  stage_duration_seconds{stage}               load, rewrite, select, prompt, generate, store, total
  generation_tokens_total{endpoint,version,kind}   kind: prompt | completion
  generation_queue_depth{endpoint,version}    generation calls waiting or running in this process
  admission_queue_depth, admission_in_flight  the admission gate in front of generation (`watch_admission`)
  selector_decisions_total{decision}          retrieve | generate, counted when made (failed turns too)
  filter_hits_total{stage,kind}               input/output filter hits (abuse kinds, PII kinds)
  prompt_leak_hits_total{kind}                replies the prompt-leak rail caught: kind canary | overlap (a reply
                                              regenerated and caught again counts twice)
  ab_assignments_total{endpoint,version,assignment}  assignment: weighted | pinned | single
  shadow_requests_total{endpoint,version,outcome}    outcome: ok | error | timeout | dropped | shed
  shadow_duration_seconds{endpoint,version}
Observing costs microseconds; nothing here blocks or raises into a turn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

STAGE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
STAGES = ("load", "rewrite", "select", "prompt", "generate", "store", "total")


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.http_requests = Counter("assistant_http_requests", "HTTP requests answered",
                                     ["method", "route", "status"], registry=r)
        self.http_duration = Histogram("assistant_http_request_duration_seconds", "HTTP request duration",
                                       ["method", "route"], buckets=STAGE_BUCKETS, registry=r)
        self.turns = Counter("assistant_turns", "Turns by reply source and outcome", ["source", "outcome"],
                             registry=r)
        self.stage_duration = Histogram("assistant_stage_duration_seconds", "Duration of each turn stage",
                                        ["stage"], buckets=STAGE_BUCKETS, registry=r)
        self.tokens = Counter("assistant_generation_tokens", "Tokens through the LM",
                              ["endpoint", "version", "kind"], registry=r)
        self.queue_depth = Gauge("assistant_generation_queue_depth", "Generation calls waiting or running",
                                 ["endpoint", "version"], registry=r)
        self.selector_decisions = Counter("assistant_selector_decisions", "Response selector decisions",
                                          ["decision"], registry=r)
        self.filter_hits = Counter("assistant_filter_hits", "Input and output filter hits", ["stage", "kind"],
                                   registry=r)
        self.prompt_leak_hits = Counter("assistant_prompt_leak_hits", "Replies caught carrying the private prompt",
                                        ["kind"], registry=r)
        for kind in ("canary", "overlap"):  # exported from the start: an alert can watch a series that exists
            self.prompt_leak_hits.labels(kind)
        self.ab_assignments = Counter("assistant_ab_assignments", "Model version chosen per generated turn",
                                      ["endpoint", "version", "assignment"], registry=r)
        self.shadow_requests = Counter("assistant_shadow_requests", "Shadow calls by outcome",
                                       ["endpoint", "version", "outcome"], registry=r)
        self.shadow_duration = Histogram("assistant_shadow_duration_seconds", "Shadow call duration",
                                         ["endpoint", "version"], buckets=STAGE_BUCKETS, registry=r)
        for stage in STAGES:  # exported from the start, so dashboards see every stage before its first turn
            self.stage_duration.labels(stage)

    def watch_admission(self, admission: Any) -> None:
        """Export the generation admission gate: turns waiting for a slot and turns holding one (read on scrape)."""
        Gauge("assistant_admission_queue_depth", "Turns waiting for a generation slot",
              registry=self.registry).set_function(lambda: admission.queued)
        Gauge("assistant_admission_in_flight", "Turns holding a generation slot",
              registry=self.registry).set_function(lambda: admission.in_flight)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # -- turn observations -----------------------------------------------------------------------------------
    def observe_stages(self, latency_ms: Mapping[str, float]) -> None:
        for stage, ms in latency_ms.items():
            self.stage_duration.labels(stage).observe(ms / 1000)

    def observe_generation(self, endpoint: str, version: str, trace: Mapping[str, Any]) -> None:
        """Tokens and filter hits from a Generator trace (keys absent on streamed turns are skipped)."""
        for kind in ("prompt", "completion"):
            count = trace.get(f"{kind}_tokens")
            if count:
                self.tokens.labels(endpoint, version, kind).inc(count)
        for kind in trace.get("input_abuse") or ():
            self.filter_hits.labels("input", kind).inc()
        for kind in trace.get("input_pii") or ():
            self.filter_hits.labels("input_pii", kind).inc()
        for attempt in trace.get("filter_hits") or ():
            for hit in attempt:
                self.filter_hits.labels("output", str(hit.get("kind", "unknown"))).inc()
        for kind in trace.get("reply_pii") or ():
            self.filter_hits.labels("output_pii", kind).inc()
        for hit in trace.get("leak_hits") or ():
            self.prompt_leak_hits.labels(str(hit.get("kind", "unknown"))).inc()

    @contextmanager
    def in_queue(self, endpoint: str, version: str) -> Iterator[None]:
        gauge = self.queue_depth.labels(endpoint, version)
        gauge.inc()
        try:
            yield
        finally:
            gauge.dec()
