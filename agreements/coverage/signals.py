"""Signals other parts listen to, so that coverage never imports them (the API's webhooks).

Each is sent inside the transaction that records what it announces, so a receiver's writes
commit or roll back with it; work that must wait for the commit (queuing a task) uses
`transaction.on_commit`.

- `check_finished`: a check was recorded (agreements/coverage/checks.py); receivers get
  `coverage_check`.
- `flags_opened`, `flags_resolved`: that check opened or resolved flags; receivers get
  `flag_ids`, never empty.
- `reminder_due`: a reminder is being sent (agreements/coverage/reminders.py); receivers get
  `reminder`, its subject set. Sent once per recipient and again when its email is retried:
  receivers that announce it once use (kind, object, deadline, lead time) as its identity.
"""

from django.dispatch import Signal

check_finished = Signal()
flags_opened = Signal()
flags_resolved = Signal()
reminder_due = Signal()
