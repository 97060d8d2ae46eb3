"""Interview sessions (solo, group, quick-fire) as asyncio state machines. No Discord."""
