"""The text behind ``cmis-admin dead-letters``: list, show, replay and purge, one function
per subcommand over :class:`cmis_shared.dead_letters.DeadLetters`."""

from __future__ import annotations

from cmis_shared.amqp import connect_any
from cmis_shared.dead_letters import DeadLetter, DeadLetters
from cmis_shared.settings import CmisSettings
from cmis_shared.topology import Topology


def _line(letter: DeadLetter) -> str:
    return "\t".join(
        (letter.id, letter.routing_key, letter.source_queue, letter.dead_lettered_at, letter.reason)
    )


async def dead_letters_command(
    settings: CmisSettings,
    action: str,
    *,
    message_id: str | None = None,
    routing_key: str | None = None,
    replay_all: bool = False,
) -> str:
    connection = await connect_any(settings.amqp_urls, timeout=settings.publish_timeout_seconds)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        letters = DeadLetters(
            channel, Topology(settings.namespace), settings.publish_timeout_seconds
        )
        if action == "list":
            rows = [_line(letter) for letter in await letters.list_all()]
            return "\n".join(["id\trouting_key\tsource_queue\tdead_lettered_at\treason", *rows])
        if action == "show":
            letter = await letters.show(message_id or "")
            if letter is None:
                raise SystemExit(f"no dead letter with id {message_id}")
            return (
                f"{_line(letter)}\nheaders {letter.headers}\n{letter.body.decode(errors='replace')}"
            )
        if action == "replay":
            replayed = await letters.replay(
                lambda letter: (
                    replay_all
                    or letter.id == message_id
                    or (routing_key is not None and letter.routing_key == routing_key)
                )
            )
            return f"replayed {len(replayed)}"
        if action == "purge":
            return f"purged {await letters.purge()}"
        raise ValueError(f"unknown dead-letters action {action!r}")
