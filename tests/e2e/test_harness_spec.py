"""The fake still holds every request to Discord's spec, now checked when the violations are read
(tests/harness/server.py): a body sent before the check, however long before, is caught."""

from __future__ import annotations

import aiohttp

from tests.harness import FakeDiscord


async def test_a_body_against_the_spec_is_caught_when_the_violations_are_read() -> None:
    fake = FakeDiscord()
    await fake.start()
    try:
        url = f"{fake.rest_base}/channels/{fake.general.id}/messages"
        headers = {"Authorization": "Bot fake-token"}
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"content": "fine"}, headers=headers) as ok:
                assert ok.status == 200
            async with http.post(url, json={"content": "x", "tts": "yes"}, headers=headers) as bad:
                assert bad.status in (200, 400)
        violations = fake.spec_violations
        assert len(violations) == 1
        assert "POST /channels/{channel_id}/messages request" in violations[0]
        assert fake.spec_violations == violations  # read again: nothing checked twice
    finally:
        await fake.close()
