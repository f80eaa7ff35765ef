"""Prompt files and the langchain-core chain of a skill: few-shot prompt -> chat model -> typed parser.

Contract: a prompt file `prompts/<skill-name>.yaml` holds `system` (text), `human` (a template whose
variables the skill fills) and `examples` (list of `{input, output}` pairs, `output` being the JSON the model
must answer with). `build_chain(prompt, model, OutputModel)` returns a Runnable whose result is a validated
`OutputModel`; malformed or invalid model output raises `OutputParserException`, which the registry turns
into the deterministic fallback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import PydanticOutputParser
from langchain_core.prompts import ChatPromptTemplate, FewShotChatMessagePromptTemplate
from langchain_core.runnables import Runnable
from pydantic import BaseModel

PROMPTS_DIR = Path(__file__).with_name("prompts")


@dataclass(frozen=True)
class SkillPrompt:
    name: str
    system: str
    human: str
    examples: tuple[tuple[str, str], ...]


@lru_cache(maxsize=64)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> SkillPrompt:
    path = directory / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"system", "human", "examples"} <= data.keys():
        raise ValueError(f"{path}: a skill prompt needs keys system, human, examples")
    examples = tuple((str(e["input"]).strip(), str(e["output"]).strip()) for e in data["examples"])
    return SkillPrompt(name, str(data["system"]).strip(), str(data["human"]).strip(), examples)


def build_chain(prompt: SkillPrompt, model: BaseChatModel, output_model: type[BaseModel]) -> Runnable[Any, Any]:
    parser: PydanticOutputParser[BaseModel] = PydanticOutputParser(pydantic_object=output_model)
    few_shot = FewShotChatMessagePromptTemplate(
        examples=[{"input": i, "output": o} for i, o in prompt.examples],
        example_prompt=ChatPromptTemplate.from_messages([("human", "{input}"), ("ai", "{output}")]),
    )
    template = ChatPromptTemplate.from_messages(
        [("system", "{system}\n\n{format_instructions}"), few_shot, ("human", prompt.human)]
    ).partial(system=prompt.system, format_instructions=parser.get_format_instructions())
    return template | model | parser


def model_name(model: BaseChatModel | None) -> str | None:
    if model is None:
        return None
    for attr in ("model_name", "model", "model_id", "_llm_type"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__
