"""Settings section `generation`: the LM backend and the controls applied on top of it.

The fields are `generation.GenerationConfig` (the generation package owns their meaning and validation);
this section only places them under the root settings, so `ASSISTANT_GENERATION__MODEL`,
`ASSISTANT_GENERATION__BACKEND`, `ASSISTANT_GENERATION__OPENAI__BASE_URL`,
`ASSISTANT_GENERATION__MII__DEPLOYMENT_NAME`, `ASSISTANT_GENERATION__DEFAULTS__TEMPERATURE` … all work.
Defaults work offline: the default hub id is not on disk, so the component reports not-ready at once.
"""

from pydantic import ConfigDict

from generation import GenerationConfig


class GenerationSettings(GenerationConfig):
    model_config = ConfigDict(extra="forbid")
