"""OpenAI-compatible surface: POST /v1/chat/completions (JSON and SSE) and GET /v1/models."""
