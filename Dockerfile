# interview-bot: the bot (or, with no token, nothing useful: run `practice` interactively).
# The same install steps as scripts/setup; the voice issue will add espeak-ng, libopus0, ffmpeg.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY config ./config
COPY question_bank ./question_bank
RUN pip install --no-cache-dir -e . && useradd --create-home interview
USER interview
ENV INTERVIEW_BOT_STORE__DATA_DIR=/data
VOLUME ["/data"]
CMD ["interview-bot", "run"]
