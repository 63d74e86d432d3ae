"""The fault suite (issue 13): the whole system under steady load, one injected fault per
test, then every promise checked ("nothing lost, effect once", no stuck work, ready again).

Key design decision: the suite never disturbs the machine's shared servers. Other test tiers,
other engineers and CI run on the PostgreSQL, RabbitMQ and Redis at ports 5432, 5672 and 6379,
and a fault suite stops, restarts, freezes and cuts its servers. So the session starts
PRIVATE instances on free ports, in temporary directories it owns
(:mod:`tests.support.private_servers`: PostgreSQL 15 via initdb/pg_ctl, Redis 7 without
persistence, a second RabbitMQ 3.10 node with its own node name, ports, mnesia and log
directories and no plugins), injects the faults into those, starts them again after every
fault whatever happened, and tears them down at the end. A server that cannot start fails the
suite with its log; nothing is skipped.

Layout: ``system`` (processes and tenants), ``load`` (manual triggers and the independent
terminal-event queue), ``checks`` (recovery, settling, every check, one table row),
``scenario`` (one fault test's shape), ``dirty_proxy`` (platform text with NUL bytes and
over-long strings), ``conftest`` (fixtures and the fault table in pytest's summary and
``.run/fault-table.md``).
"""
