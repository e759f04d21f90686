"""The skill approvers' queue: technicians' pending proposals, each with what it would change in
coverage (the impact evaluation a saved change gets, run on the proposal applied in a savepoint
that is rolled back), decided one or many at a time. It lives in agreements/ because it reads
coverage; skills/ holds the proposals and the services that decide them."""
