"""The fake Discord's interaction contexts, with a tiny discord.py bot defined here: what each
place sends, and that a command is offered only where its contexts and installs allow."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.harness import FakeDiscord
from tests.harness.fixtures import connect_bot, fake_discord

__all__ = ["fake_discord"]


class WhereBot(commands.Bot):
    """/where says what discord.py made of the interaction; /here is for servers only."""

    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.none())
        self.seen: list[discord.Interaction] = []

    async def setup_hook(self) -> None:
        @self.tree.command(name="where", description="Where am I?")
        @app_commands.allowed_installs(guilds=True, users=True)
        @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
        async def where(interaction: discord.Interaction) -> None:
            self.seen.append(interaction)
            await interaction.response.send_message("here", ephemeral=True)

        @self.tree.command(name="here", description="Servers only")
        @app_commands.allowed_installs(guilds=True, users=False)
        @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
        async def here(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok", ephemeral=True)


@pytest.fixture
async def where_bot(fake_discord: FakeDiscord) -> WhereBot:
    bot = WhereBot()
    await connect_bot(bot, fake_discord)
    await bot.tree.sync()
    return bot


async def test_each_place_arrives_as_discord_sends_it(
    fake_discord: FakeDiscord, where_bot: WhereBot
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    registered = {c["name"]: c for c in fake.world.global_commands}
    assert registered["where"]["contexts"] == [0, 1, 2]
    assert registered["where"]["integration_types"] == [0, 1]
    assert registered["here"]["contexts"] == [0]

    await (await fake.run_command(ada, fake.general, "where")).reply()
    await (await fake.run_command(ada, fake.dm_channel(ada), "where")).reply()
    fake.install_app(ada)
    foreign = fake.add_foreign_guild("Elsewhere", ada)
    await (await fake.run_command(ada, foreign, "where")).reply()
    await (await fake.run_command(ada, fake.group_dm(ada), "where")).reply()

    server, dm, elsewhere, group = where_bot.seen
    assert server.is_guild_integration()
    assert isinstance(server.user, discord.Member)
    assert dm.context.dm_channel
    assert dm.guild_id is None
    assert isinstance(dm.channel, discord.DMChannel)
    assert isinstance(dm.user, discord.User)
    assert foreign.guild is not None
    assert elsewhere.guild_id == foreign.guild.id
    assert not elsewhere.is_guild_integration()
    assert elsewhere.is_user_integration()
    assert group.context.private_channel
    assert isinstance(group.channel, discord.GroupChannel)
    assert not fake.spec_violations


async def test_a_command_is_offered_only_in_its_contexts_and_installs(
    fake_discord: FakeDiscord, where_bot: WhereBot
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    await (await fake.run_command(ada, fake.general, "here")).reply()
    with pytest.raises(LookupError, match="not offered in context 1"):
        await fake.run_command(ada, fake.dm_channel(ada), "here")
    fake.install_app(ada)
    foreign = fake.add_foreign_guild("Elsewhere", ada)
    with pytest.raises(LookupError, match=r"for installs \[1\]"):
        await fake.run_command(ada, foreign, "here")


async def test_the_bot_cannot_reach_a_server_it_is_not_in_or_closed_dms(
    fake_discord: FakeDiscord, where_bot: WhereBot
) -> None:
    fake = fake_discord
    ada = fake.add_member("ada")
    foreign = fake.add_foreign_guild("Elsewhere", ada)
    channel = where_bot.get_partial_messageable(foreign.id)
    with pytest.raises(discord.Forbidden) as missing:
        await channel.send("hello")
    assert missing.value.code == 50001
    fake.install_app(ada, dms_closed=True)
    user = await where_bot.fetch_user(ada.id)
    with pytest.raises(discord.Forbidden) as closed:
        await user.send("hello")
    assert closed.value.code == 50007
    assert not fake.spec_violations
