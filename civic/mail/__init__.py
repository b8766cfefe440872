"""Outgoing mail: queued in the caller's transaction, sent by a pgqueuer job through aiosmtplib.

Queue a message (in the transaction of whatever caused it)::

    from civic.mail import actions as mail
    await mail.queue(conn, mail.Outgoing(to=..., lang="th", template="account/verify",
                                         context={...}, key="verify:42:<nonce>", user_id=42))

`template` names templates/mail/<name>.html and .txt, each extending mail/base.html or
mail/base.txt and defining `{% block subject %}` and `{% block body %}`. `kind` (optional,
default "all") is what the message's one-click unsubscribe turns off.

Sending: civic/background.py's `mail_sender` loop (RUN_MAIL) and `python -m civic worker` run
`sender.run_forever`; tests and the demo drain the queue at once with
`await civic.mail.actions.send_due(pool, settings)`.

Development: without SMTP_URL, `civic run` starts catcher.py (aiosmtpd on loopback, one .eml per
message under var/mail/) and /dev/mail shows what it caught.
"""
