"""Coverage in the API: the recorded checks with their agreements and requirements, one
agreement's live coverage, the flags and "Run coverage check now".

Thin, as the coverage pages are: checks and flags are read from the record (DESIGN "Coverage
checks are recorded"), only one agreement is evaluated live, and every answer comes from the
selectors and services the pages use, with the pages' roles.
"""
