"""Voice receive for the bot: a DAVE-aware voice_recv client and a per-user PCM sink.

    vc = await channel.connect(cls=DaveVoiceRecvClient)
    vc.listen(PcmSink(on_loop(loop, handle_frame)))   # handle_frame(VoiceFrame) on the loop

Needs the `voice` extra (discord.py[voice], discord-ext-voice-recv) and the `voice_states` intent.
"""

from bot.discord.voice.receive import DaveAudioReader, DaveVoiceRecvClient, ReceiveStats
from bot.discord.voice.sink import FrameHandler, PcmSink, VoiceFrame, on_loop

__all__ = [
    "DaveAudioReader",
    "DaveVoiceRecvClient",
    "FrameHandler",
    "PcmSink",
    "ReceiveStats",
    "VoiceFrame",
    "on_loop",
]
