"""Follows: the things a person wants to hear about, and the automatic follows that the events
of their own participation create.

Table `follows(user_id, target_kind, target_id, auto, created_at)`; the notifier joins it on
(target_kind, target_id) to find followers. What `target_id` is, for each `target_kind`:

| target_kind  | target_id                                   | events that name it                      |
|--------------|---------------------------------------------|------------------------------------------|
| idea         | ideas.id                                    | subject ("idea", id)                     |
| board        | idea_boards.id (not the slug)               | subject ("board", id); idea payload board_id |
| consultation | consultations.id                            | subject ("consultation", id)             |
| task         | handover_tasks id (a handover)              | subject ("handover", id)                 |
| agency       | organisations.id of an agency               | the event row's agency_id                |
| province     | province code from civic.provinces ("CMI")  | the event row's province                 |
| topic        | a category, exactly as written: an idea     | IdeaSubmitted.category, TaskPosted.category |
|              | category offered by some board ("ขยะ"), or a  |                                          |
|              | handover category code ("environment")      |                                          |

Numbers are written in decimal without leading zeros (rules.parse_target makes them so), so
`target_id = subject_id::text` joins. Consultations have no topic of their own; a topic is a
board's idea category or a task's category, the two kinds of topic the platform has.

An explicit unfollow leaves a row in `unfollows`, so an automatic follow never undoes it.
"""
