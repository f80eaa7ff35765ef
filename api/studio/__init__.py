"""The `/studio` surface: the persona studio page and the JSON endpoints behind it."""
