"""Proves the fake Discord harness with a tiny discord.py bot defined here (not the project's)."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.harness import Channel, FakeDiscord, Member, custom_ids, is_ephemeral
from tests.harness.fixtures import connect_bot, fake_discord

__all__ = ["fake_discord"]  # the fixture, imported so pytest finds it

EPHEMERAL = 64
MESSAGE, DEFERRED, UPDATE_MESSAGE, MODAL = 4, 5, 7, 9


class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
        label="Answer", custom_id="answer", style=discord.TextStyle.paragraph
    )

    def __init__(self, bot: SmokeBot) -> None:
        super().__init__(custom_id="answer-modal")
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.answers.append(self.answer.value)
        await interaction.response.send_message("Answer recorded.", ephemeral=True)


class ReadyView(discord.ui.View):
    def __init__(self, bot: SmokeBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Start", custom_id="start", style=discord.ButtonStyle.primary)
    async def start(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.bot.clicks.append(interaction.user.id)
        await interaction.response.edit_message(content="Started!", view=None)

    @discord.ui.button(label="Answer", custom_id="open-answer")
    async def open_answer(
        self, interaction: discord.Interaction, button: discord.ui.Button
    ) -> None:
        await interaction.response.send_modal(AnswerModal(self.bot))


class PickView(discord.ui.View):
    @discord.ui.select(
        custom_id="pick",
        options=[discord.SelectOption(label="nlp"), discord.SelectOption(label="vision")],
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.defer()  # type 6: deferred update of the clicked message
        await interaction.edit_original_response(content=f"Picked {select.values[0]}")


class SmokeBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.clicks: list[int] = []
        self.answers: list[str] = []
        self.heard: list[discord.Message] = []

        @self.tree.command(description="Check the bot is alive")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", ephemeral=True)
            await interaction.followup.send("and a follow-up")

        @self.tree.command(description="Start a practice thread")
        @app_commands.describe(topic="What to practise")
        async def practice(interaction: discord.Interaction, topic: str) -> None:
            assert isinstance(interaction.channel, discord.TextChannel)
            thread = await interaction.channel.create_thread(
                name=f"practice-{topic}", type=discord.ChannelType.public_thread
            )
            await interaction.response.send_message(f"Go to {thread.mention}", ephemeral=True)
            await thread.send(f"Ready for {topic}?", view=ReadyView(self))

        admin = app_commands.Group(name="admin", description="Moderator tools")

        @admin.command(description="Grant practice credits")
        @app_commands.checks.has_permissions(manage_guild=True)
        async def grant(
            interaction: discord.Interaction, user: discord.Member, credits: int
        ) -> None:
            await interaction.response.defer(thinking=True)
            report = discord.File(io.BytesIO(b"credits,3"), "grant.csv")
            await interaction.followup.send(f"{user.display_name} +{credits}", file=report)

        @grant.error
        async def grant_failed(interaction: discord.Interaction, error: Exception) -> None:
            await interaction.response.send_message(type(error).__name__, ephemeral=True)

        self.tree.add_command(admin)

        @self.tree.command(description="Pick a topic")
        async def topic(interaction: discord.Interaction, name: str) -> None:
            await interaction.response.send_message(f"Topic {name}?", view=PickView())

        @topic.autocomplete("name")
        async def topic_names(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            names = ["nlp", "vision", "rl"]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    async def on_message(self, message: discord.Message) -> None:
        if message.author != self.user:
            self.heard.append(message)


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> SmokeBot:
    smoke = SmokeBot()
    await connect_bot(smoke, fake_discord)
    guild = discord.Object(fake_discord.guild.id)
    smoke.tree.copy_global_to(guild=guild)
    await smoke.tree.sync(guild=guild)
    return smoke


async def test_connects_and_sees_the_guild(fake_discord: FakeDiscord, bot: SmokeBot) -> None:
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert guild.name == "Fake Guild"
    assert guild.get_channel(fake_discord.general.id) is not None
    assert bot.user is not None
    assert bot.user.id == fake_discord.bot_user.id
    assert len(fake_discord.gateway_ops(2)) == 1  # one IDENTIFY


async def test_slash_command_replies_ephemeral_then_follows_up(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    stored = fake_discord.world.guild_commands[fake_discord.guild.id]
    assert {c["name"] for c in stored} == {"ping", "practice", "admin", "topic"}

    alice = fake_discord.add_member("alice")
    inter = await fake_discord.run_command(alice, fake_discord.general, "ping")
    response = await inter.response()
    assert response["type"] == MESSAGE
    reply = await inter.reply()
    assert reply["content"] == "pong"
    assert is_ephemeral(reply)
    follow = await inter.followup()
    assert follow["content"] == "and a follow-up"
    assert not is_ephemeral(follow)
    # the channel cursor steps through what everyone sees; ephemeral=True adds the rest
    public = await fake_discord.wait_for_message(fake_discord.general)
    assert public["content"] == "and a follow-up"
    first = await fake_discord.wait_for_message(fake_discord.general, ephemeral=True)
    second = await fake_discord.wait_for_message(fake_discord.general, ephemeral=True)
    assert [first["content"], second["content"]] == ["pong", "and a follow-up"]


async def start_practice(fake: FakeDiscord, member: Member) -> tuple[Channel, dict[str, Any]]:
    inter = await fake.run_command(member, fake.general, "practice", {"topic": "ml"})
    assert (await inter.reply())["content"].startswith("Go to <#")
    thread = await fake.wait_for_thread(lambda t: t["name"] == "practice-ml")
    prompt = await fake.wait_for_message(thread)
    return thread, prompt


async def test_thread_and_button_click_edits_message(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    alice = fake_discord.add_member("alice")
    thread, prompt = await start_practice(fake_discord, alice)
    assert prompt["content"] == "Ready for ml?"
    assert custom_ids(prompt) == ["start", "open-answer"]
    assert bot.get_channel(thread.id) is not None  # THREAD_CREATE reached the cache

    click = await fake_discord.click(alice, prompt, "start")
    assert (await click.response())["type"] == UPDATE_MESSAGE
    edited = await fake_discord.wait_for_edit(prompt["id"])
    assert edited["content"] == "Started!"
    assert edited["components"] == []
    assert bot.clicks == [alice.id]
    assert len(fake_discord.history(prompt["id"])) == 2


async def test_modal_from_button_reaches_on_submit(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    alice = fake_discord.add_member("alice")
    thread, prompt = await start_practice(fake_discord, alice)
    opened = await fake_discord.click(alice, prompt, "open-answer")
    assert (await opened.response())["type"] == MODAL
    assert opened.modal is not None
    assert opened.modal["custom_id"] == "answer-modal"

    submit = await fake_discord.submit_modal(
        alice, thread, "answer-modal", {"answer": "bias vs variance"}
    )
    reply = await submit.reply()
    assert reply["content"] == "Answer recorded."
    assert reply["flags"] & EPHEMERAL
    assert bot.answers == ["bias vs variance"]


async def test_message_in_thread_reaches_on_message(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    alice = fake_discord.add_member("alice")
    thread, _ = await start_practice(fake_discord, alice)
    heard = asyncio.create_task(
        bot.wait_for("message", check=lambda m: m.author.id == alice.id, timeout=2)
    )
    await fake_discord.user_types(alice, thread, "overfitting means...")
    message = await heard
    assert message.content == "overfitting means..."
    assert isinstance(message.channel, discord.Thread)
    assert message.channel.id == thread.id


async def test_gateway_drop_resumes_and_replays(fake_discord: FakeDiscord, bot: SmokeBot) -> None:
    alice = fake_discord.add_member("alice")
    await fake_discord.drop_gateway()
    # typed while the bot is disconnected: must be replayed after RESUME
    await fake_discord.user_types(alice, fake_discord.general, "are you there?")
    resume = await fake_discord.wait_for_resume()
    assert resume["d"]["session_id"] == fake_discord.gateway.session_id
    assert len(fake_discord.gateway_ops(2)) == 1  # no second IDENTIFY

    inter = await fake_discord.run_command(alice, fake_discord.general, "ping")
    assert (await inter.reply())["content"] == "pong"
    assert [m.content for m in bot.heard] == ["are you there?"]


async def test_rate_limited_send_succeeds_after_waiting(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    fake_discord.fail_next("POST", "/channels/{channel_id}/messages", 429, retry_after=0.3)
    channel = bot.get_channel(fake_discord.general.id)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    sent = await channel.send("after the rate limit")
    assert time.monotonic() - started >= 0.3
    assert sent.content == "after the rate limit"
    assert [f["status"] for f in fake_discord.faults_triggered] == [429]
    posts = fake_discord.requests_to("POST", "/channels/{channel_id}/messages")
    assert [r["status"] for r in posts] == [429, 200]


async def test_server_error_once_is_retried(fake_discord: FakeDiscord, bot: SmokeBot) -> None:
    fake_discord.fail_next("POST", r"/channels/\d+/messages", 500)
    channel = bot.get_channel(fake_discord.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("after the outage")
    assert sent.content == "after the outage"
    assert [f["status"] for f in fake_discord.faults_triggered] == [500]
    posts = fake_discord.requests_to("POST", "/channels/{channel_id}/messages")
    assert [r["status"] for r in posts] == [500, 200]
    assert fake_discord.messages_in(fake_discord.general)[-1]["content"] == "after the outage"


async def test_subcommand_user_option_permissions_and_deferred_file(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    alice = fake_discord.add_member("alice")
    mod = fake_discord.add_member("mod", manage_guild=True)
    options = {"user": alice, "credits": 3}
    denied = await fake_discord.run_command(alice, fake_discord.general, "admin", options, "grant")
    assert (await denied.reply())["content"] == "MissingPermissions"
    assert denied.ephemeral

    granted = await fake_discord.run_command(mod, fake_discord.general, "admin", options, "grant")
    assert (await granted.response())["type"] == DEFERRED
    reply = await granted.reply()  # the first follow-up fills in the "thinking" message
    assert reply["content"] == "alice +3"
    assert reply["id"] == str(granted.original_id)
    assert fake_discord.files_of(reply) == [("grant.csv", b"credits,3")]


async def test_autocomplete_and_select_with_deferred_update(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    alice = fake_discord.add_member("alice")
    typing = await fake_discord.autocomplete(
        alice, fake_discord.general, "topic", {"name": "n"}, focused="name"
    )
    await typing.response()
    assert typing.choices == [{"name": "nlp", "value": "nlp"}]

    chosen = await fake_discord.run_command(alice, fake_discord.general, "topic", {"name": "nlp"})
    menu = await chosen.reply()
    pick = await fake_discord.click(alice, menu, "pick", values=["vision"])
    assert (await pick.response())["type"] == 6
    assert (await fake_discord.wait_for_edit(menu))["content"] == "Picked vision"


async def test_without_message_content_intent_content_is_blank(
    fake_discord: FakeDiscord,
) -> None:
    client = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    await connect_bot(client, fake_discord)
    alice = fake_discord.add_member("alice")
    heard = asyncio.create_task(client.wait_for("message", timeout=2))
    await fake_discord.user_types(alice, fake_discord.general, "secret")
    assert (await heard).content == ""


async def test_a_channel_overwrite_and_closed_dms_are_enforced(
    fake_discord: FakeDiscord, bot: SmokeBot
) -> None:
    """A member overwrite denying the bot threads (or messages) there is seen by discord.py and
    refused with 50013; a DM to a user whose DMs are closed opens, but sending gets 50007."""
    from tests.harness.models import CREATE_PUBLIC_THREADS, SEND_MESSAGES  # noqa: PLC0415

    fake = fake_discord
    fake.add_channel("quiet", bot_denied=CREATE_PUBLIC_THREADS | SEND_MESSAGES)
    for _ in range(200):
        channel = next((c for c in bot.get_all_channels() if c.name == "quiet"), None)
        if channel is not None:
            break
        await asyncio.sleep(0.01)
    assert isinstance(channel, discord.TextChannel)
    allowed = channel.permissions_for(channel.guild.me)
    assert not allowed.create_public_threads
    assert not allowed.send_messages
    with pytest.raises(discord.Forbidden) as denied:
        await channel.create_thread(name="nope", type=discord.ChannelType.public_thread)
    assert denied.value.code == 50013
    with pytest.raises(discord.Forbidden) as silent:
        await channel.send("hello")
    assert silent.value.code == 50013

    closed = fake.add_member("closed")
    closed.user.dms_closed = True
    user = await bot.fetch_user(closed.id)
    dm = await user.create_dm()
    with pytest.raises(discord.Forbidden) as refused:
        await dm.send("hello")
    assert refused.value.code == 50007
