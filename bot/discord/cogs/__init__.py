"""The bot's cogs: each turns interactions into engine calls and nothing else."""
