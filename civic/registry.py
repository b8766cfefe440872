"""Everything the platform runs, named once: the composition root's lists.

civic/app.py serves CONTROLLERS and starts the background loops (civic/background.py) with JOBS,
CONSUMERS and SEARCH_LOADERS; `python -m civic worker` and `reindex` use the same lists, and
`seed-demo` runs DEMOS in order. A new page, sweep, event consumer or demo is added here, as an
import and a list entry, so a reader finds what runs by reading one file.
"""

from __future__ import annotations

from civic.accounts import demo as accounts_demo
from civic.accounts.api import AccountsApi
from civic.accounts.pages import AccountPages
from civic.activity.api import ActivityApi
from civic.activity.pages import ActivityPages
from civic.admin.api import AdminApi
from civic.admin.pages import AdminPages
from civic.assisted.api import AssistedApi
from civic.assisted.pages import AssistedPages
from civic.consultations import actions as consultations_actions
from civic.consultations import demo as consultations_demo
from civic.consultations import store as consultations_store
from civic.consultations.api import ConsultationsApi
from civic.consultations.pages import ConsultationModerationPages, ConsultationPages
from civic.consumers import Consumer
from civic.dashboard import actions as dashboard_actions
from civic.dashboard.api import DashboardApi
from civic.dashboard.pages import DashboardPages
from civic.feeds.pages import FeedPages
from civic.follows import consumer as follows_consumer
from civic.follows import demo as follows_demo
from civic.follows.api import FollowsApi
from civic.follows.pages import FollowPages
from civic.handovers import actions as handovers_actions
from civic.handovers import demo as handovers_demo
from civic.handovers import store as handovers_store
from civic.handovers.api import HandoversApi
from civic.handovers.pages import HandoverPages
from civic.home import HomeApi, HomePages
from civic.ideas import demo as ideas_demo
from civic.ideas import store as ideas_store
from civic.ideas.api import IdeasApi
from civic.ideas.pages import BoardPages, IdeaPages, ModerationPages
from civic.identity.api import IdentityApi
from civic.identity.pages import IdentityPages
from civic.implementation import demo as implementation_demo
from civic.implementation.api import ImplementationApi
from civic.implementation.pages import ImplementationPages
from civic.jobs import Job
from civic.mail.pages import DevMailApi, DevMailPages
from civic.notifications import consumer as notifications_consumer
from civic.notifications import demo as notifications_demo
from civic.notifications import jobs as notifications_jobs
from civic.notifications.api import NotificationsApi
from civic.notifications.pages import NotificationPages, NotificationSettingsPages, UnsubscribePages
from civic.opendata import actions as opendata_actions
from civic.opendata.api import OpendataApi
from civic.opendata.pages import OpendataPages
from civic.orgs.api import OrganisationsApi
from civic.orgs.pages import OrganisationPages
from civic.privacy import actions as privacy_actions
from civic.privacy import demo as privacy_demo
from civic.privacy.api import PrivacyApi
from civic.privacy.pages import PrivacyPages
from civic.record import actions as record_actions
from civic.record.api import RecordApi
from civic.record.pages import RecordPages
from civic.search import demo as search_demo
from civic.search.consumer import SEARCH_INDEXER
from civic.search.relay import Loader
from civic.search.routes import SearchApi, SearchPages
from civic.staff.api import StaffApi
from civic.staff.pages import StaffPages, StartPage

CONTROLLERS: list = [
    HomePages,
    HomeApi,
    AccountPages,
    AccountsApi,
    IdentityPages,
    IdentityApi,
    OrganisationPages,
    OrganisationsApi,
    IdeaPages,
    BoardPages,
    ModerationPages,
    IdeasApi,
    HandoverPages,
    HandoversApi,
    ConsultationPages,
    ConsultationModerationPages,
    ConsultationsApi,
    StaffPages,
    StartPage,
    StaffApi,
    ActivityPages,
    ActivityApi,
    SearchPages,
    SearchApi,
    FeedPages,
    FollowPages,
    FollowsApi,
    NotificationPages,
    NotificationSettingsPages,
    UnsubscribePages,
    NotificationsApi,
    DevMailPages,
    DevMailApi,
    OpendataPages,
    OpendataApi,
    PrivacyPages,
    PrivacyApi,
    RecordPages,
    RecordApi,
    AdminPages,
    AdminApi,
    AssistedPages,
    AssistedApi,
    DashboardPages,
    DashboardApi,
    ImplementationPages,
    ImplementationApi,
]

# Every worker may run these; civic/jobs.py makes each run at most once per period across them.
JOBS: list[Job] = [
    Job("consultations.advance_lifecycle", 60, consultations_actions.advance_lifecycle),
    Job("handovers.expire_stale_claims", 300, handovers_actions.expire_stale_claims),
    Job("handovers.expire_tasks", 900, handovers_actions.expire_tasks),
    Job("notifications.remind", 300, notifications_jobs.remind),
    # Hourly: the open datasets and their catalogue (a failed run keeps the previous files).
    Job("opendata.regenerate", 3600, opendata_actions.regenerate_job),
    # Every 5 minutes; it sends only from 07:00 Bangkok, once per person and day.
    Job("notifications.send_digests", 300, notifications_jobs.send_digests),
    # Retention (periods in civic/privacy/rules.py RETENTION and the README's "Personal data").
    Job("privacy.purge_expired_sessions", 3600, privacy_actions.purge_expired_sessions),
    Job("privacy.purge_login_attempts", 3600, privacy_actions.purge_login_attempts),
    Job("privacy.purge_mail", 86400, privacy_actions.purge_mail),
    Job("privacy.purge_unverified_accounts", 86400, privacy_actions.purge_unverified_accounts),
    # Hourly: the public record verified from entry 1, and each finished day's head published.
    Job("record.verify_and_publish", 3600, record_actions.verify_and_publish),
    # Every 10 minutes: the dashboard's summary tables, so a view reads them instead of counting.
    Job("dashboard.refresh", 600, dashboard_actions.refresh_job),
]

# kind -> the domain's `search_documents(conn, ids)`: what the search relay and reindex index.
SEARCH_LOADERS: dict[str, Loader] = {
    "idea": ideas_store.search_documents,
    "consultation": consultations_store.search_documents,
    "handover": handovers_store.search_documents,
}

# The notifier runs after the auto-follows, so a new follower of a batch's subject is told too.
# SEARCH_INDEXER turns events into search_outbox rows, which the search relay sends on.
CONSUMERS: list[Consumer] = [
    SEARCH_INDEXER,
    follows_consumer.AUTO_FOLLOW,
    notifications_consumer.NOTIFIER,
    privacy_actions.PUBLICATION_CONSENTS,
]

# In order: ideas' demo answers on the consultations' agencies' boards, handovers, then follows of
# them, then the account lifecycle's mail, then search. All in one transaction.
DEMOS: list = [
    consultations_demo.seed,
    ideas_demo.seed,
    implementation_demo.seed,
    handovers_demo.seed,
    follows_demo.seed,
    accounts_demo.seed,
    privacy_demo.seed,
    search_demo.seed,  # last: the seeds above wrote rows the search consumer never hears of
]
# After DEMOS commit and the CONSUMERS have run over their events: what reads the notifications.
SETTLED_DEMOS: list = [notifications_demo.seed]
