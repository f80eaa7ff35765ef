"""Korean speech-level control: find each sentence's final ending with Kiwi, judge its level, repair it.

Modules, by responsibility:
- `control`: `SpeechLevelControl`, the thread-safe Kiwi wrapper the generator uses (analyse, violations, repair);
- `repair`: the sentence rewrite, which swaps the final ending and listener-facing words and lets Kiwi conjugate;
- `endings`: the ending's mood and its counterpart at another level; `honorifics`: person words and honorifics;
  `expressions`: formulas whose counterpart is another expression; `morphs`: Kiwi tokens as the repair reads them.
An ending's level (합쇼체, 해요체, 반말) and which token is a sentence's final ending come from `korean.speech`, the
project's one speech-level table.
"""

from generation.speech_level.control import SentenceLevel, SpeechLevelControl
from korean.speech import level_of_ending

__all__ = ["SentenceLevel", "SpeechLevelControl", "level_of_ending"]
