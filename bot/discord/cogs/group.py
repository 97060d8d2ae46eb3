"""Group rounds: /group create, join, leave, start, end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.cogs.common import DIFFICULTIES, topic_choices
from bot.discord.rooms import NO_PINGS
from bot.discord.threads import room_here, who
from bot.discord.venue import require_server, where
from bot.discord.views import is_moderator
from bot.engine.events import Floor
from bot.errors import SessionError

if TYPE_CHECKING:
    from bot.discord.launcher import Launcher
    from bot.discord.rooms import Room

FLOORS = [
    app_commands.Choice(
        name="round robin: each question goes to the next person", value="round_robin"
    ),
    app_commands.Choice(name="open floor: the first answer counts", value="open"),
]


class GroupCog(commands.GroupCog, group_name="group"):
    """Study rounds where several people answer in one thread."""

    def __init__(self, launcher: Launcher) -> None:
        self.launcher = launcher
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Group rounds need a server the bot is in: elsewhere, one sentence."""
        require_server(interaction, "Group rounds")
        return True

    @app_commands.command(name="create")
    @app_commands.describe(
        floor="Who answers",
        questions="How many questions",
        topic="Only this topic",
        difficulty="Only this level",
        voice="Ask aloud in your voice channel and listen for spoken answers",
    )
    @app_commands.choices(floor=FLOORS, difficulty=DIFFICULTIES)
    async def create(
        self,
        interaction: discord.Interaction,
        floor: str = "round_robin",
        questions: app_commands.Range[int, 1, 20] | None = None,
        topic: str | None = None,
        difficulty: str | None = None,
        voice: bool = False,
    ) -> None:
        """Open a group round in a new thread (voice: in your voice channel); others join."""
        host, manager = who(interaction), self.launcher.manager
        extra: dict[str, Any] = {"questions": questions} if questions else {}
        thread = await self.launcher.launch(
            interaction,
            "Group round",
            topic,
            lambda sink, place: manager.open_group(
                host,
                sink,
                floor=Floor(floor),
                place=place,
                topic=topic,
                difficulty=difficulty,
                **extra,
            ),
            voice=voice,
        )
        await thread.send(
            f"👥 Group round by {interaction.user.mention} ({floor.replace('_', ' ')}). "
            "Use `/group join` here to join; the host starts it with `/group start`.",
            allowed_mentions=NO_PINGS,
        )
        await interaction.followup.send(
            f"Your group round is open in {where(thread)}.", ephemeral=True
        )

    @create.autocomplete("topic")
    async def _topics(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.launcher.bank, current)

    @app_commands.command(name="join")
    async def join(self, interaction: discord.Interaction) -> None:
        """Join the round (or quick-fire) of this thread."""
        room = self._room(interaction)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.launcher.manager.join(room.session.id, who(interaction))
        await interaction.followup.send(
            "You are in. Answer by typing in this thread.", ephemeral=True
        )

    @app_commands.command(name="leave")
    async def leave(self, interaction: discord.Interaction) -> None:
        """Leave the round of this thread."""
        room = self._room(interaction)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await room.session.leave(who(interaction))
        await interaction.followup.send("You left the round.", ephemeral=True)

    @app_commands.command(name="start")
    async def start(self, interaction: discord.Interaction) -> None:
        """Start the round (host or moderator)."""
        room = self._room(interaction)
        session = room.session
        if session is None or session.started:
            raise SessionError(str(interaction.channel_id), "This round has already started.")
        session.require_control(
            who(interaction), "start the round", moderator=is_moderator(interaction)
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await session.start()
        await interaction.followup.send("Started.", ephemeral=True)

    @app_commands.command(name="end")
    async def end(self, interaction: discord.Interaction) -> None:
        """End the round for everyone (host or moderator) and show the scoreboard."""
        room = self._room(interaction)
        assert room.session is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await room.session.end(who(interaction), moderator=is_moderator(interaction))
        await interaction.followup.send("Round ended.", ephemeral=True)

    def _room(self, interaction: discord.Interaction) -> Room:
        return room_here(interaction, self.launcher.manager, self.launcher.rooms)
