"""Mail's pure pieces: SMTP_URL, which replies are final, the retry policy's waits, links in text,
unsubscribe tokens, and the sender loop following RUN_MAIL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from pgqueuer.errors import RetryRequested
from pgqueuer.executors import DatabaseRetryEntrypointExecutor, EntrypointExecutorParameters

from civic import background
from civic.mail import rules, unsubscribe
from civic.mail.schemas import SmtpTarget
from civic.mail.sender import POLICY, Deferred
from civic.settings import load_settings


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://mail.example.com", SmtpTarget(hostname="mail.example.com", port=25)),
        (
            "smtp://u%40x:p%3Ass@relay.example:587",
            SmtpTarget(hostname="relay.example", port=587, username="u@x", password="p:ss"),
        ),
        ("smtp://h:2525?starttls=always", SmtpTarget(hostname="h", port=2525, start_tls=True)),
        ("smtp://h:1025?starttls=never", SmtpTarget(hostname="h", port=1025, start_tls=False)),
        (
            "smtps://u:p@h",
            SmtpTarget(hostname="h", port=465, username="u", password="p", use_tls=True, start_tls=False),
        ),
        ("smtps://h:2465", SmtpTarget(hostname="h", port=2465, use_tls=True, start_tls=False)),
    ],
)
def test_smtp_urls(url, target):
    assert rules.parse_smtp_url(url) == target


@pytest.mark.parametrize(
    "url",
    [
        "http://h",
        "h:25",
        "smtp://",
        "smtp://h:port",
        "smtp://h?starttls=maybe",
        "smtp://h?tls=1",
        "smtps://h?starttls=always",
    ],
)
def test_bad_smtp_urls_are_refused_with_a_reason(url):
    with pytest.raises(rules.SmtpUrlError, match="SMTP_URL"):
        rules.parse_smtp_url(url)


TLS_FIRST = "SMTP_URL: smtps:// is TLS from the first byte, so it takes no starttls option"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://h", "SMTP_URL must start with smtp:// or smtps://, not 'http'"),
        ("h:25", "SMTP_URL must start with smtp:// or smtps://, not 'h'"),
        # no scheme at all: the whole value is shown
        ("mail.example.com", "SMTP_URL must start with smtp:// or smtps://, not 'mail.example.com'"),
        ("//h", "SMTP_URL must start with smtp:// or smtps://, not '//h'"),
        ("smtp://", "SMTP_URL has no host"),
        ("smtp://u:p@:25", "SMTP_URL has no host"),
        ("smtp://h?starttls=maybe", "SMTP_URL's starttls must be auto, always or never"),
        ("smtp://h?tls=1", "SMTP_URL has unknown options: ['tls']"),
        ("smtps://h?starttls=always", TLS_FIRST),
        ("smtps://h?starttls=auto", TLS_FIRST),
    ],
)
def test_bad_smtp_urls_say_exactly_what_is_wrong(url, message):
    with pytest.raises(rules.SmtpUrlError) as refused:
        rules.parse_smtp_url(url)
    assert str(refused.value) == message


def test_smtps_accepts_an_explicit_starttls_never():
    assert rules.parse_smtp_url("smtps://h?starttls=never") == SmtpTarget(
        hostname="h", port=465, use_tls=True, start_tls=False
    )


def test_only_5xx_is_final():
    assert [c for c in (None, 250, 421, 450, 451, 499, 500, 550, 554, 599, 600) if rules.is_permanent(c)] == [
        500,
        550,
        554,
        599,
    ]


def _waits(policy, attempts: int) -> list[float]:
    """The waits pgqueuer's executor asks for, configured with our policy, for a failing send."""

    async def failing(job):
        raise Deferred("451 later")

    executor = DatabaseRetryEntrypointExecutor(
        EntrypointExecutorParameters(concurrency_limit=0, func=failing),
        max_attempts=policy.max_attempts,
        initial_delay=policy.initial_delay,
        max_delay=policy.max_delay,
    )

    class Job:
        def __init__(self, n):
            self.attempts = n

    waits = []
    for n in range(attempts):
        try:
            asyncio.run(executor.execute(Job(n), None))
        except RetryRequested as retry:
            waits.append(retry.delay.total_seconds())
        except Deferred:
            break
    return waits


def test_the_retry_policy_backs_off_to_a_cap_and_rides_out_hours():
    waits = _waits(POLICY, 100)
    assert waits[:4] == [5, 10, 20, 40]
    assert max(waits) == 15 * 60 and waits == sorted(waits)
    # Then the message fails: a relay down longer than this is an incident, not a blip.
    assert len(waits) == POLICY.max_attempts
    assert timedelta(hours=3) < timedelta(seconds=sum(waits)) < timedelta(hours=6)


def test_links_in_text():
    assert rules.link_spans("ยืนยันที่ https://x.example/v/1?a=b แล้ว\nhttp://y") == [
        ("ยืนยันที่ ", False),
        ("https://x.example/v/1?a=b", True),
        (" แล้ว\n", False),
        ("http://y", True),
    ]
    assert rules.link_spans("javascript:alert(1)") == [("javascript:alert(1)", False)]


def test_templates_and_addresses():
    assert rules.valid_template("account/verify") and rules.valid_template("notice")
    for bad in ("../base", "/etc/passwd", "Account/Verify", "a//b", "a/", ""):
        assert not rules.valid_template(bad)
    assert rules.valid_address("a.b+c@example.co.th")
    for bad in ("nobody", "a@b@c", "a b@c", "<a@b>", "a@b\r\nBcc: x@y"):
        assert not rules.valid_address(bad)


def test_unsubscribe_tokens_name_their_own_user_and_kind():
    token = unsubscribe.make_token("secret-1", 42, "idea.answered")
    assert unsubscribe.read_token("secret-1", token) == (42, "idea.answered")
    for forged in (token + "x", token.replace(token[3], "Z" if token[3] != "Z" else "Y"), "", "abc.def"):
        with pytest.raises(unsubscribe.BadToken):
            unsubscribe.read_token("secret-1", forged)
    with pytest.raises(unsubscribe.BadToken):
        unsubscribe.read_token("another-secret", token)
    assert unsubscribe.unsubscribe_url("https://c.example", "secret-1", 42, "all").startswith(
        "https://c.example/unsubscribe/"
    )


def test_the_mail_sender_runs_when_run_mail_says():
    def names(value):
        settings = load_settings({"SECRET_KEY": "x" * 40, "CIVIC_DATA_DIR": "/tmp", "RUN_MAIL": value})
        return [loop.__name__ for loop in background.enabled_loops(settings)]

    assert "mail_sender" in names("true") and "mail_sender" not in names("false")


def test_a_bad_smtp_url_stops_start_up(tmp_path):
    from civic.settings import SettingsError

    with pytest.raises(SettingsError, match="SMTP_URL"):
        load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SMTP_URL": "smtp.example.com:25"})
    settings = load_settings({"CIVIC_DATA_DIR": str(tmp_path), "SMTP_URL": "smtps://u:p@smtp.example.com"})
    assert settings.smtp_url == "smtps://u:p@smtp.example.com"
