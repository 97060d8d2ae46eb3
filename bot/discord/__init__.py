"""The Discord adapter: slash commands, threads, buttons; events to and from the engine."""
