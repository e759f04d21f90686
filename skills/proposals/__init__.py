"""My skills: what a technician sees of their own data, and the changes they propose to it."""
