"""The triage service: a FastAPI application over a SQL database, built on :mod:`pipeline`."""
