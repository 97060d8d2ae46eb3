"""Progress: statistics over a person's attempts, and their chart. No Discord."""
