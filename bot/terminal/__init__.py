"""Terminal practice mode: the same engine, typed answers, printed events."""
