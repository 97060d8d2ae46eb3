"""Speech: speech-to-text engines, text-to-speech, voice activity, resampling (no discord)."""
