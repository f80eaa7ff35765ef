"""`Studio`: what the studio page asks of the assistant, as one facade over the registry, pipeline and store.

Contract: HTTP (`api/studio`) calls only this class. A persona "as in the editor" is a `PersonaSource`: an id plus
either the editor's text (`yaml`), its form (`document`), or a stored `version`; `resolve` turns it into a valid
Persona or raises the loader's `PersonaError` (422 with field and line). Nothing here writes a persona except
`save` and `revert`, which go through the registry (versions archived beside the persona files).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InvalidInput
from assistant.pipeline import TurnPipeline
from assistant.store import ServedLog
from assistant.studio import answers, editor, playground, regression
from generation import Generator
from generation.config import DecodingDefaults
from personas import Persona, PersonaError, PersonaRegistry, dump_persona_yaml
from retrieval import Retrieval


@dataclass(frozen=True)
class PersonaSource:
    id: str
    yaml: str | None = None
    document: Mapping[str, Any] | None = None
    version: int | None = None


@dataclass
class Studio:
    registry: PersonaRegistry
    pipeline: TurnPipeline
    served: ServedLog
    data_dir: Path
    max_new_tokens: int
    max_json_depth: int

    @property
    def retrieval(self) -> Retrieval:
        return self.pipeline.retrieval

    @property
    def generator(self) -> Generator:
        return self.pipeline.generation

    @property
    def decoding_defaults(self) -> DecodingDefaults:
        return self.pipeline.settings.generation.defaults

    # -- editor ---------------------------------------------------------------------------------------------
    def check(self, source: PersonaSource) -> dict[str, Any]:
        persona, result = editor.check(source.id, yaml_text=source.yaml, document=source.document)
        result["budget"] = self.budget(persona) if persona is not None else None
        return result

    def budget(self, persona: Persona) -> dict[str, Any]:
        ready, detail = self.generator.status()
        if ready:
            found = editor.budget(persona, self.generator, self.max_new_tokens, self.decoding_defaults)
        else:
            found = editor.budget(persona, _Estimating(self.generator), self.max_new_tokens, self.decoding_defaults)
        return {**found, "estimated": not ready, "lm": detail}

    def resolve(self, source: PersonaSource) -> Persona:
        if source.yaml is None and source.document is None:
            if source.version is not None:
                return self.registry.get_version(source.id, source.version)
            return self.registry.get(source.id)
        persona, result = editor.check(source.id, yaml_text=source.yaml, document=source.document)
        if persona is None:
            error = result["error"]
            raise PersonaError(error["message"], file=f"{source.id}.yaml", line=error["line"], field=error["field"])
        return persona

    def load(self, persona_id: str, version: int | None = None) -> dict[str, Any]:
        persona = (self.registry.get_version(persona_id, version) if version is not None
                   else self.registry.get(persona_id))
        return {"id": persona.id, "version": persona.version, "document": persona.document(),
                "yaml": dump_persona_yaml(persona), "versions": editor.versions(self.registry, persona_id),
                "writable": self.registry.is_writable(persona_id), "budget": self.budget(persona)}

    def save(self, source: PersonaSource, expected_version: int | None) -> dict[str, Any]:
        persona = self.resolve(source)
        self.registry.put(source.id, persona.document(), expected_version=expected_version)
        return self.load(source.id)

    def diff(self, persona_id: str, old: int, new: int) -> str:
        return editor.diff(self.registry, persona_id, old, new)

    def revert(self, persona_id: str, version: int) -> dict[str, Any]:
        editor.revert(self.registry, persona_id, version)
        return self.load(persona_id)

    # -- playground and compare -------------------------------------------------------------------------------
    async def try_turn(self, source: PersonaSource, history: Sequence[tuple[str, str]], message: str
                       ) -> dict[str, Any]:
        return await playground.trace_turn(self.pipeline, self.served, self.resolve(source), history, message)

    async def compare(self, left: PersonaSource, right: PersonaSource, messages: Sequence[str]) -> dict[str, Any]:
        runs = []
        for source in (left, right):
            persona = self.resolve(source)
            runs.append({"persona": persona.id, "version": persona.version,
                         "turns": await playground.run_script(self.pipeline, self.served, persona, messages)})
        return {"left": runs[0], "right": runs[1]}

    async def save_check(self, name: str, source: PersonaSource, messages: Sequence[str]) -> dict[str, Any]:
        """Run the script on a saved persona (optionally a version) and store what it did as a regression check."""
        if source.yaml is not None or source.document is not None:
            raise InvalidInput("a regression check runs a saved persona: save it first", param="persona")
        persona = self.resolve(source)
        traces = await playground.run_script(self.pipeline, None, persona, messages)
        check = regression.build_check(name, persona.id, source.version, list(messages), traces)
        path = regression.save_check(self.data_dir, check)
        return {**check, "file": str(path)}

    def checks(self) -> list[dict[str, Any]]:
        return regression.list_checks(self.data_dir)

    async def run_check(self, check: dict[str, Any]) -> list[str]:
        persona = self.resolve(PersonaSource(check["persona"], version=check.get("version")))
        traces = await playground.run_script(self.pipeline, None, persona, [t["user"] for t in check["turns"]])
        return regression.failures(check, traces)

    # -- response sets and cards ------------------------------------------------------------------------------
    def answers(self, response_set: str, offset: int = 0, limit: int = 100) -> dict[str, Any]:
        return answers.answer_page(self.retrieval, self.served, response_set, offset, limit)

    def answer_queries(self, response_set: str, record_id: str) -> list[dict[str, Any]]:
        return self.served.queries(response_set, record_id)

    def near_misses(self, response_set: str) -> list[dict[str, Any]]:
        return self.served.near_misses(response_set)

    def add_answer(self, response_set: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        return self.retrieval.add_responses(response_set, [raw])[0].to_dict()

    def update_answer(self, response_set: str, record_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
        return answers.update_answer(self.retrieval, response_set, record_id, raw)

    def remove_answer(self, response_set: str, record_id: str) -> dict[str, Any]:
        return self.retrieval.remove_response(response_set, record_id).to_dict()

    def try_query(self, response_set: str, query: str) -> dict[str, Any]:
        return answers.try_query(self.retrieval, response_set, query)

    def card_preview(self, data: bytes) -> dict[str, Any]:
        return answers.card_preview(data, self.registry.max_card_bytes, self.max_json_depth)


class _Estimating:
    """A generator stand-in for the budget meter while no LM is loaded: estimated counts, the configured window."""

    def __init__(self, generator: Generator) -> None:
        self.context_window = playground.context_window(generator)

    @staticmethod
    def count_tokens(text: str) -> int:
        return playground.estimate_tokens(text)
