"""The services container: builds every runtime component from Settings once, and reports readiness.

This is the only place that wires the leaf packages to each other (dst's LM rewriting gets the generation
backend, skills get retrieval as a search backend) and the one that decides which Korean instances they share
(`korean.kiwi`: one plain Kiwi for every package; dst merges its compounds after the analysis). A component that
cannot load reports why in `readiness()` instead of stopping the process; only a store that cannot be opened is
fatal.
`Services` is what HTTP sees of the assistant: its typed components, and the few operations a surface needs that
are more than one component call (`find_persona`, `import_card`, `run_skill`), so that `api` imports no leaf package.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from assistant import text_completion
from assistant.hygiene import check_tree
from assistant.metrics import Metrics
from assistant.pipeline import TurnPipeline
from assistant.readiness import ComponentStatus
from assistant.routing import ModelRouter, ShadowRunner, build_router
from assistant.settings import Settings
from assistant.store import ConversationStore, ServedLog, open_store
from assistant.studio import Studio
from assistant.wiring.dst import build_dst
from assistant.wiring.generation import build_generation
from assistant.wiring.personas import build_personas, personas_status
from assistant.wiring.retrieval import build_retrieval
from assistant.wiring.skills import build_skills
from assistant.workers import StageWorkers
from dst import ContextInjector
from generation import Generator
from generation.skills import SkillRegistry, SkillResult
from korean.kiwi import shared_kiwi
from personas import Persona, PersonaNotFound, PersonaRegistry, read_card
from retrieval import Retrieval

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    store: ConversationStore
    dst: ContextInjector
    retrieval: Retrieval
    personas: PersonaRegistry
    generation: Generator
    skills: SkillRegistry
    pipeline: TurnPipeline
    statuses: list[ComponentStatus] = field(default_factory=list)
    router: ModelRouter | None = None
    metrics: Metrics | None = None
    shadow: ShadowRunner | None = None
    # Skills' CPU work (thousands of reviews, k-means) gets threads of its own: on the turns' threads a few review
    # requests would stall every turn, each holding its conversation's lock meanwhile.
    skill_workers: StageWorkers | None = None
    _studio: Studio | None = None

    def studio(self) -> Studio:
        """The `/studio` page's operations (`assistant.studio`), built on first use."""
        if self._studio is None:
            self._studio = Studio(self.personas, self.pipeline, ServedLog(self.store.engine), self.settings.data_dir,
                                  self.settings.limits.max_new_tokens, self.settings.limits.max_json_depth)
        return self._studio

    def find_persona(self, persona_id: str) -> Persona | None:
        """The persona, or None: surfaces that name personas otherwise (an OpenAI `model`) word their own 404."""
        try:
            return self.personas.get(persona_id)
        except PersonaNotFound:
            return None

    def import_card(self, data: bytes, **options: Any) -> Persona:
        """Import a Character Card (JSON or PNG bytes) whose decoded JSON passes the input-hygiene rule
        (`assistant.hygiene`: every field exact, at most `limits.max_json_depth` deep); 422 naming the field else."""
        card = read_card(data, max_bytes=self.personas.max_card_bytes)
        check_tree(card, max_depth=self.settings.limits.max_json_depth)
        return self.personas.import_card(data, **options)

    def fingerprint(self, persona_id: str) -> str:
        """OpenAI's `system_fingerprint`: changes when the LM behind the persona's route changes (same seed, same
        fingerprint, same reply)."""
        _, detail = self.generation.status()
        return "fp_" + hashlib.blake2b(f"{persona_id}\0{detail}".encode(), digest_size=6).hexdigest()

    def text_request(self, persona_id: str, prompt: str, **controls: Any) -> Any:
        """A raw text completion's generation request under the persona's controls (`assistant.text_completion`)."""
        return text_completion.text_request(self.settings, self.personas.get(persona_id), prompt, **controls)

    async def complete_text(self, request: Any) -> Any:
        return await text_completion.complete_text(self.generation, self.pipeline.admission, request)

    def stream_text(self, request: Any) -> Any:
        return text_completion.stream_text(self.generation, self.pipeline.admission, request)

    async def run_skill(self, name: str, payload: dict[str, Any], *, speech_level: str | None) -> SkillResult:
        """Run a skill. Only while its LM can generate does a run take a generation slot: the deterministic fallback
        of a skill without a loaded LM is answered at once, like a retrieved reply."""
        generator = getattr(self.skills.model, "generator", None)
        admit = self.pipeline.admission.slot if generator is not None and generator.status()[0] else None
        offload = self.skill_workers.run if self.skill_workers is not None else None
        return await self.skills.run(name, payload, speech_level=speech_level, admit=admit, offload=offload)

    def readiness(self) -> list[ComponentStatus]:
        """Readiness of every component, probed live where it can change (store, LM, personas, indexes)."""
        ready, reason = self.generation.status()
        live = [self.store.status(), ComponentStatus("generation", ready, reason), personas_status(self.personas)]
        live += [ComponentStatus(name, ok, detail) for name, ok, detail in self.retrieval.status()]
        live += self.router.statuses() if self.router is not None else []
        by_name = {s.name: s for s in self.statuses} | {s.name: s for s in live}
        return list(by_name.values())

    def close(self) -> None:
        self.pipeline.close()
        if self.skill_workers is not None:
            self.skill_workers.close()
        self.store.close()


@dataclass
class Components:
    """The leaf components, built once; a test session shares them between stores."""

    dst: ContextInjector
    retrieval: Retrieval
    personas: PersonaRegistry
    generation: Generator
    skills: SkillRegistry
    statuses: list[ComponentStatus]
    router: ModelRouter | None = None


def build_components(settings: Settings) -> Components:
    kiwi = shared_kiwi()  # one Kiwi for every package (dst's default analyzer takes it too)
    generation, gen_status = build_generation(settings, kiwi)
    dst, dst_status = build_dst(settings, generation)
    # Kiwi loads lazily (seconds); warm it here so the first user does not wait for it.
    dst.rewrite([], "안녕하세요")
    retrieval, retrieval_statuses = build_retrieval(settings, kiwi)
    personas, personas_status = build_personas(settings, kiwi)
    skills, skills_status = build_skills(settings, generation, retrieval, kiwi)
    statuses = [gen_status, dst_status, *retrieval_statuses, personas_status, skills_status]
    for status in statuses:
        if not status.ready:
            log.warning("component %s is not ready: %s", status.name, status.detail)
    router = build_router(settings.routing, generation)
    return Components(dst, retrieval, personas, generation, skills, statuses, router)


def open_settings_store(settings: Settings) -> ConversationStore:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return open_store(settings.sqlalchemy_url, settings.store, lock_timeout_s=settings.limits.lock_timeout_s)


def assemble(settings: Settings, store: ConversationStore, c: Components) -> Services:
    metrics = Metrics()  # per Services: its own registry, so apps in one process never share series
    shadow = ShadowRunner(settings.routing.shadow, settings.data_dir / "shadow", metrics)
    pipeline = TurnPipeline(settings, store, c.dst, c.retrieval, c.personas, c.generation,
                            router=c.router, metrics=metrics, shadow=shadow)
    metrics.watch_admission(pipeline.admission)
    shadow.gate = pipeline.admission  # shadow calls start only while live traffic leaves a slot free
    return Services(settings, store, c.dst, c.retrieval, c.personas, c.generation, c.skills, pipeline, c.statuses,
                    router=pipeline.router, metrics=metrics, shadow=shadow,
                    skill_workers=StageWorkers(settings.limits.skill_workers, name="skill"))


def build_services(settings: Settings) -> Services:
    store = open_settings_store(settings)
    return assemble(settings, store, build_components(settings))
