"""Grading: key-point coverage of answers, quick-fire matching, speech metrics. No Discord."""
