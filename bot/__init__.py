"""interview-bot: practise machine-learning interviews in Discord or in a terminal."""

__version__ = "0.1.0"
