"""Idea boards' controllers, as civic.app registers them: the pages and their /api/v1 twins."""

from __future__ import annotations

from civic.ideas.api import IdeasApi
from civic.ideas.pages import BoardPages, IdeaPages, ModerationPages

CONTROLLERS = [IdeaPages, BoardPages, ModerationPages, IdeasApi]
