"""Signals other apps listen to, so that clients never imports them.

`environment_changed` is sent by the services in clients/services.py (never by model saves)
after what runs on a client's LAN changed; receivers get `client`.
"""

from django.dispatch import Signal

environment_changed = Signal()
