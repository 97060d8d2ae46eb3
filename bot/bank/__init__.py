"""The question bank: models, loader, follow-up tree. Knows nothing of Discord or audio."""
