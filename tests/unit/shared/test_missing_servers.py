import pytest

from tests.support import servers

pytestmark = pytest.mark.unit


def test_a_missing_server_fails_with_the_command_that_starts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CMIS_TEST_RABBIT_URL", "amqp://guest:guest@127.0.0.1:1/")
    monkeypatch.setattr(servers, "_docker_answers", lambda: False)
    with pytest.raises(pytest.fail.Exception, match="rabbitmq-server -detached"):
        servers.discover()
