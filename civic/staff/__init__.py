"""Staff tools: the menu that takes moderators, admins and agency staff to their work, with how
much is waiting in each place. It reads the other domains through their actions and queries."""
