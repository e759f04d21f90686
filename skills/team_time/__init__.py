"""The team's time in the browser (DESIGN "Coverage through the support window"): a technician's
working week and time off, the team calendar of who is off, and the on-call rotas with their
members, hours, schedule, swaps and covers."""
