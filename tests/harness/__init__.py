"""A fake Discord (REST + gateway on 127.0.0.1) for driving a real discord.py bot in tests.

    from tests.harness import FakeDiscord, is_ephemeral
    from tests.harness.fixtures import connect_bot, fake_discord  # the fixture

    async def test_ping(fake_discord: FakeDiscord) -> None:
        bot = MyBot()                       # any discord.Client / commands.Bot
        await connect_bot(bot, fake_discord)  # closed by the fixture at teardown
        await bot.tree.sync()               # the fake stores the commands
        alice = fake_discord.add_member("alice")
        inter = await fake_discord.run_command(alice, fake_discord.general, "ping")
        reply = await inter.reply()
        assert reply["content"] == "pong" and is_ephemeral(reply)

The fixture fails the test if the bot used a route the fake does not serve
(`unknown_routes`) or if a request or answer breaks Discord's OpenAPI spec (`spec_violations`).
"""

from .interactions import Interaction, components_of, custom_ids, find_component, is_ephemeral
from .observe import MessageCursor
from .server import FakeDiscord, Fault
from .world import Channel, Guild, Member, Role, User

__all__ = [
    "Channel",
    "FakeDiscord",
    "Fault",
    "Guild",
    "Interaction",
    "Member",
    "MessageCursor",
    "Role",
    "User",
    "components_of",
    "custom_ids",
    "find_component",
    "is_ephemeral",
]
