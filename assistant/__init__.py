"""Composition root: settings, the conversation store, the turn pipeline and the CLI.

`assistant` wires the four leaf packages (dst, retrieval, personas, generation) together; it is the only package
that knows all of them. `api` sits on top and holds HTTP surfaces only.
"""
