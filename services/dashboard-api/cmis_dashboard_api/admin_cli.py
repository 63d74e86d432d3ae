"""``cmis-admin``: create organizations and users, set a user's password, issue, list and
revoke API tokens, add members; list, show, replay and purge dead letters; re-encrypt stored
credentials with the first key.

Tokens are printed once, on stdout, and never logged. Passwords are read from the terminal
(without echo) or from stdin, never from the command line (argv shows in ``ps`` and shell
history)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import timedelta
from uuid import UUID

from cmis_dashboard_api import admin
from cmis_dashboard_api.adapters.accounts import find_by_email, set_password
from cmis_dashboard_api.adapters.api_tokens import AmbiguousTokenError, TokenInfo
from cmis_dashboard_api.domain.passwords import Passwords, WeakPasswordError
from cmis_dashboard_api.domain.roles import Role
from cmis_dashboard_api.settings import DashboardSettings
from cmis_shared.crypto import TokenCipher
from cmis_shared.db.engine import create_engine, create_session_factory
from cmis_shared.dead_letters_cli import dead_letters_command
from cmis_shared.key_rotation import rotate_credentials
from cmis_shared.settings import CmisSettings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cmis-admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    org = commands.add_parser("create-org", help="create an organization; prints its id")
    org.add_argument("name")
    org.add_argument("--timezone", default="UTC")
    user = commands.add_parser("create-user", help="create a user; prints the first API token")
    user.add_argument("email")
    user.add_argument("--org", action="append", type=UUID, default=[], help="org id (repeat)")
    user.add_argument("--role", choices=list(Role), default=Role.MEMBER)
    token = commands.add_parser("issue-token", help="issue another API token for a user")
    token.add_argument("email")
    token.add_argument("--label", default="")
    member = commands.add_parser("add-member", help="add a user to an organization")
    member.add_argument("email")
    member.add_argument("org", type=UUID)
    member.add_argument("--role", choices=list(Role), default=Role.MEMBER)
    password = commands.add_parser(
        "set-password",
        help="set a user's sign-in password, read from the terminal or stdin (never argv); "
        "ends the user's sign-in sessions",
    )
    password.add_argument("email")
    _add_token_commands(commands)
    dead = commands.add_parser("dead-letters", help="list, show, replay or purge dead letters")
    actions = dead.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="id, routing key, source queue, time and reason of each")
    actions.add_parser("show", help="one dead letter with headers and body").add_argument("id")
    replay = actions.add_parser("replay", help="back to the events exchange, original key")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("--id")
    which.add_argument("--routing-key")
    which.add_argument("--all", action="store_true")
    actions.add_parser("purge", help="drop every dead letter")
    _add_rotate_keys(commands)
    return parser


def _add_token_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    listing = commands.add_parser(
        "list-tokens", help="id, label, user, created, expires, revoked (never the token)"
    )
    listing.add_argument("--email")
    revoke = commands.add_parser("revoke-token", help="revoke an API token by id or id prefix")
    revoke.add_argument("token_id", help="the token's id, or its first characters (4 or more)")


def _token_line(token: TokenInfo) -> str:
    revoked = token.revoked_at.isoformat() if token.revoked_at else "-"
    return "\t".join(
        (str(token.id), token.label or "-", token.email, token.created_at.isoformat(),
         token.expires_at.isoformat(), revoked)
    )  # fmt: skip


async def _run_token_command(args: argparse.Namespace, settings: CmisSettings) -> str:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            if args.command == "list-tokens":
                tokens = await admin.list_tokens(session, args.email)
                header = "id\tlabel\tuser\tcreated\texpires\trevoked"
                return "\n".join([header, *(_token_line(t) for t in tokens)])
            try:
                revoked = await admin.revoke_token(session, args.token_id)
            except AmbiguousTokenError as error:
                raise SystemExit(str(error)) from None
            if revoked is None:
                raise SystemExit(f"no token with id {args.token_id}")
            return f"revoked {_token_line(revoked)}"
    finally:
        await engine.dispose()


def _add_rotate_keys(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rotate = commands.add_parser(
        "rotate-keys",
        help="re-encrypt every stored credential with the first of CMIS_ENCRYPTION_KEYS "
        "(resumable: run again after an interruption)",
    )
    rotate.add_argument("--batch-size", type=int, default=500)


async def _rotate_keys(args: argparse.Namespace, settings: CmisSettings) -> str:
    engine = create_engine(settings)
    try:
        counts = await rotate_credentials(
            create_session_factory(engine),
            TokenCipher(settings.encryption_keys),
            batch_size=args.batch_size,
            progress=lambda c: sys.stderr.write(c.summary() + "\n"),
        )
    finally:
        await engine.dispose()
    return counts.summary()


def read_password() -> str:
    """From the terminal, typed twice without echo; else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != password:
        raise SystemExit("the passwords differ")
    return password


async def _set_password(args: argparse.Namespace, settings: CmisSettings) -> str:
    try:
        encoded = Passwords().hash(read_password())
    except WeakPasswordError as error:
        raise SystemExit(str(error)) from None
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            user = await find_by_email(session, args.email)
            if user is None:
                raise SystemExit(f"no user with email {args.email}")
            ended = await set_password(session, user.id, encoded)
    finally:
        await engine.dispose()
    return f"password set for {user.email}; {ended} sign-in session(s) ended"


async def _run(args: argparse.Namespace, settings: DashboardSettings) -> str:
    if args.command == "set-password":
        return await _set_password(args, settings)
    if args.command == "rotate-keys":
        return await _rotate_keys(args, settings)
    if args.command == "dead-letters":
        return await dead_letters_command(
            settings,
            args.action,
            message_id=getattr(args, "id", None),
            routing_key=getattr(args, "routing_key", None),
            replay_all=getattr(args, "all", False),
        )
    if args.command in ("list-tokens", "revoke-token"):
        return await _run_token_command(args, settings)
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            if args.command == "create-org":
                return str((await admin.create_organization(session, args.name, args.timezone)).id)
            if args.command == "create-user":
                user, token = await admin.create_user(
                    session, args.email, args.org, role=args.role, lifetime=_lifetime(settings)
                )
                return f"user {user.id}\ntoken {token}"
            member = await admin.find_user(session, args.email)
            if member is None:
                raise SystemExit(f"no user with email {args.email}")
            if args.command == "issue-token":
                return await admin.issue_token(
                    session, member.id, args.label, lifetime=_lifetime(settings)
                )
            await admin.add_member(session, member.id, args.org, args.role)
            return "ok"
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    settings = load_settings(DashboardSettings, service_name="cmis-admin")
    sys.stdout.write(asyncio.run(_run(args, settings)) + "\n")


def _lifetime(settings: DashboardSettings) -> timedelta:
    return timedelta(days=settings.api_token_lifetime_days)
