"""The coverage engine, its nightly run and report, and the what-if."""

from config.settings.env import env

COVERAGE_WARNING_DAYS = env.int("COVERAGE_WARNING_DAYS", default=60, minimum=0)
COVERAGE_MIN_TECHNICIANS = env.int("COVERAGE_MIN_TECHNICIANS", default=2, minimum=1)
COVERAGE_REPORT_TIME = env.time_of_day("COVERAGE_REPORT_TIME", default="02:00")
# Per-agreement and per-requirement details of older checks are pruned; figures and report
# sections are kept for good.
COVERAGE_CHECK_RETENTION_DAYS = env.int("COVERAGE_CHECK_RETENTION_DAYS", default=400, minimum=1)
# A what-if is kept in the cache for its next pages and users until coverage data changes, the
# day does, or this many seconds pass (names shown in its lists may change meanwhile).
WHAT_IF_CACHE_SECONDS = env.int("WHAT_IF_CACHE_SECONDS", default=600, minimum=0)
# After a save, the page says what the change does to coverage: up to this many agreements are
# evaluated in the request, more on the worker.
IMPACT_MAX_AGREEMENTS = env.int("IMPACT_MAX_AGREEMENTS", default=200, minimum=1)
# A worker that takes up the nightly run holds it this long; one that dies gives it up then, and
# the sweep (every COVERAGE_SWEEP_MINUTES) queues the run again, at most so many times.
COVERAGE_RUN_LEASE_MINUTES = env.int("COVERAGE_RUN_LEASE_MINUTES", default=15, minimum=1)
# When set, stands in for the minutes: the fault tests let a lease run out in seconds.
COVERAGE_RUN_LEASE_SECONDS = env.int("COVERAGE_RUN_LEASE_SECONDS", default=None, minimum=1)
COVERAGE_SWEEP_MINUTES = env.int("COVERAGE_SWEEP_MINUTES", default=15, minimum=1)
COVERAGE_RUN_MAX_ATTEMPTS = env.int("COVERAGE_RUN_MAX_ATTEMPTS", default=10, minimum=1)
# Database and broker errors of the nightly tasks are retried after base, 2 × base … seconds,
# capped at COVERAGE_TASK_RETRY_MAX_SECONDS, at most COVERAGE_TASK_MAX_RETRIES times.
COVERAGE_TASK_RETRY_BASE_SECONDS = env.int(
    "COVERAGE_TASK_RETRY_BASE_SECONDS", default=10, minimum=1
)
COVERAGE_TASK_RETRY_MAX_SECONDS = env.int("COVERAGE_TASK_RETRY_MAX_SECONDS", default=300, minimum=1)
COVERAGE_TASK_MAX_RETRIES = env.int("COVERAGE_TASK_MAX_RETRIES", default=10)
# A failed report email is retried after base, 2 × base, 4 × base … seconds, at most this often.
COVERAGE_EMAIL_RETRY_BASE_SECONDS = env.int(
    "COVERAGE_EMAIL_RETRY_BASE_SECONDS", default=120, minimum=1
)
COVERAGE_EMAIL_MAX_RETRIES = env.int("COVERAGE_EMAIL_MAX_RETRIES", default=5, minimum=0)
# A technician's skill not assessed (edited, approved or confirmed "still accurate") for this
# many months is due for review: marked on the skills matrix and reminded to the technician.
SKILL_REVIEW_MONTHS = env.int("SKILL_REVIEW_MONTHS", default=12, minimum=1, below=121)
# Support windows and working hours (DESIGN "Coverage through the support window"): weekly
# patterns in local time, "Mon-Fri 09:00-17:00" (24:00 is the end of the day). An agreement's
# window is read in its client's time zone; a technician without working hours of their own
# works DEFAULT_WORKING_HOURS in theirs, and a rota without hours of its own is on call outside
# them. Checked at start-up (skills.checks).
DEFAULT_WORKING_HOURS = "Mon-Fri 09:00-17:00"
SUPPORT_WINDOWS = {
    "8x5": "Mon-Fri 09:00-17:00",
    "12x5": "Mon-Fri 07:00-19:00",
    "24x7": "Mon-Sun 00:00-24:00",
}
