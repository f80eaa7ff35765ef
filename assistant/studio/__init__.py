"""The studio: the operations behind the `/studio` page (editor, playground, compare, response sets, cards).

`Studio` (assistant.studio.service) is the facade HTTP uses; `Services.studio()` builds one per Services.
"""

from assistant.studio.service import PersonaSource, Studio

__all__ = ["PersonaSource", "Studio"]
