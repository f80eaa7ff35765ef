"""HTTP surface for personas: list, read, write (versioned), delete, Character Card import and export."""
