"""`python -m civic record verify [--from N]` (wired in civic/__main__.py): recompute the chain
and name the first entry that fails. Exit 0 when the record holds, 1 when it does not."""

from __future__ import annotations

import asyncio


def add_commands(sub, database_url, with_conn) -> None:
    record = sub.add_parser("record", help="the public record of official acts")
    verbs = record.add_subparsers(dest="record_command", required=True)
    p = verbs.add_parser("verify", help="recompute the hash chain and name the first entry that fails")
    p.add_argument("--from", dest="from_seq", type=int, default=1, metavar="N",
                   help="start at entry N, trusting the stored hash of entry N-1 (default 1)")  # fmt: skip
    p.set_defaults(fn=lambda args, settings: cmd_verify(args, database_url(settings), with_conn))


def cmd_verify(args, url: str, with_conn) -> int:
    from civic.record import actions

    async def go(conn):
        # One snapshot: acts that commit meanwhile are neither half-seen nor taken for forgeries.
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            return await actions.verify(conn, args.from_seq)

    check = asyncio.run(with_conn(url, go))
    if check.ok:
        print(f"record verified: entries {check.from_seq}-{check.head_seq} ({check.checked} checked), head intact")
        return 0
    print(f"record FAILED verification: {check.detail}")
    return 1
