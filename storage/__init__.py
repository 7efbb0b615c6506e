"""Persistence: models, the engine, migrations and repositories. Imports nothing of ours."""
