"""The portal\x27s HTTP API (FastAPI): the read model, downloads, uploads and operations."""
