"""A Feed written as Atom 1.0 (RFC 4287) with feedgen, in the reader's language."""

from __future__ import annotations

from datetime import datetime

from civic import thai
from civic.events import CATALOGUE
from civic.feeds import rules
from civic.feeds.schemas import Entry, Feed
from civic.web.i18n import Translator

MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def _content(t: Translator, entry: Entry) -> str:
    # The catalogue's own words for the kind (translated in feeds.po), then what the payload adds.
    lines = [t(CATALOGUE[entry.kind].summary)]
    for line in rules.details(entry.kind, entry.payload):
        params = {k: t(v) if k in line.labels else v for k, v in line.params.items()}
        lines.append(t(line.msgid, **params))
    return "\n".join(lines)


def render(feed: Feed, lang: str, base_url: str, now: datetime) -> bytes:
    t = Translator(lang)
    from feedgen.feed import FeedGenerator  # on first use: it and lxml are 5 MB a worker

    fg = FeedGenerator()
    fg.id(rules.tag(base_url, f"feed/{feed.key}"))
    fg.title(t(feed.title_msgid, **feed.title_params))
    fg.language(lang)
    fg.author(name=t("Civic participation"), uri=base_url)
    fg.link(href=base_url + rules.url(feed.path, feed.params, lang), rel="self", type="application/atom+xml")
    fg.link(href=base_url + feed.page, rel="alternate", type="text/html")
    fg.updated(rules.feed_updated([e.occurred_at for e in feed.entries], now).astimezone(thai.BANGKOK))
    for entry in feed.entries:
        at = entry.occurred_at.astimezone(thai.BANGKOK)
        fe = fg.add_entry(order="append")
        fe.id(rules.entry_id(base_url, entry.event_id))
        fe.title(t(rules.ENTRY_TITLES[entry.kind], title=entry.subject_title))
        fe.updated(at)
        fe.published(at)
        path = rules.entry_path(entry.kind, entry.subject_kind, entry.subject_id, entry.slug)
        fe.link(href=base_url + path, rel="alternate", type="text/html")
        if entry.official and entry.agency_th:
            fe.author(name=entry.agency_en if lang == "en" and entry.agency_en else entry.agency_th)
        fe.summary(_content(t, entry), type="text")
    return fg.atom_str(pretty=True)
