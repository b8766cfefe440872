"""The record as Atom 1.0 (feedgen): the newest entries, and each published day's head as an
entry of its own, so a feed reader keeps a copy of every head it has seen."""

from __future__ import annotations

from datetime import datetime

from civic import thai
from civic.events import CATALOGUE
from civic.feeds.rules import tag
from civic.record.schemas import Head, Shown
from civic.web.i18n import Translator

MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def render(entries: list[Shown], heads: list[Head], lang: str, base_url: str, now: datetime) -> bytes:
    t = Translator(lang)
    from feedgen.feed import FeedGenerator  # on first use: it and lxml are 5 MB a worker

    fg = FeedGenerator()
    fg.id(tag(base_url, "record"))
    fg.title(t("Public record of official acts"))
    fg.language(lang)
    fg.author(name=t("Civic participation"), uri=base_url)
    fg.link(href=f"{base_url}/record/feed", rel="self", type="application/atom+xml")
    fg.link(href=f"{base_url}/record", rel="alternate", type="text/html")
    items = [(s.entry.at, "entry", s) for s in entries] + [(h.published_at, "head", h) for h in heads]
    items.sort(key=lambda item: item[0], reverse=True)
    fg.updated(max((at for at, _, _ in items), default=now).astimezone(thai.BANGKOK))
    for at, what, item in items:
        fe = fg.add_entry(order="append")
        fe.updated(at.astimezone(thai.BANGKOK))
        fe.published(at.astimezone(thai.BANGKOK))
        if what == "entry":
            e = item.entry
            fe.id(tag(base_url, f"record/{e.seq}"))
            act = t(CATALOGUE[e.act].summary) if e.act in CATALOGUE else e.act
            fe.title(t("Entry %(seq)s: %(act)s", seq=e.seq, act=act))
            fe.link(href=f"{base_url}/record?before={e.seq + 1}#entry-{e.seq}", rel="alternate", type="text/html")
            if item.agency_th:
                fe.author(name=item.agency_en if lang == "en" and item.agency_en else item.agency_th)
            fe.summary(t("Subject: %(kind)s %(id)s. Hash: %(hash)s. Previous: %(prev)s.",
                         kind=e.subject_kind, id=e.subject_id, hash=e.hash, prev=e.prev_hash), type="text")  # fmt: skip
        else:
            fe.id(tag(base_url, f"record/head/{item.day.isoformat()}"))
            fe.title(t("Head of the record at the end of %(day)s: entry %(seq)s", day=item.day.isoformat(), seq=item.seq))
            fe.link(href=f"{base_url}/record/heads.txt", rel="alternate", type="text/plain")
            fe.summary(f"{item.day.isoformat()} {item.seq} {item.hash}", type="text")
    return fg.atom_str(pretty=True)
