"""HTTP surfaces only: one folder per surface (router + schemas), over `assistant`'s services and pipeline."""
