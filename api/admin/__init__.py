"""Admin surface: manage response sets while serving."""
