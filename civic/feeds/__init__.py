"""Atom feeds (RFC 4287) of public events, for feed readers: no login, Thai first.

    /feed                              everything new on the site
    /feed/boards/<slug>                an idea board: its ideas and the agency's answers
    /feed/organisations/<slug>         an agency: everything it and its boards, consultations, tasks do
    /feed/provinces/<code>             everything in one province (civic.provinces codes)
    /feed/consultations                the consultations hub: scheduled, opened, closed, outcomes
    /feed/consultations/<id>           one consultation: its changes, documents, lifecycle, outcome
    /feed/handovers                    the task board
    /feed/search?q=...&province=...    a saved search: what is new about its best matches

Each page a feed mirrors names it in its <head> (`{% block feeds %}` of templates/base.html).
Entries are events from civic.events, public ones only, about subjects still public now.
"""
