"""How dates read for people, on pages, in Django admin and in emails: "16 Jan 2027" (and
"16 Jan 2027 14:05"). The inputs still take and give ISO dates (Django's English defaults)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
