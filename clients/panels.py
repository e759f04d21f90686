"""What other apps add to the client pages (see core/registry.py).

Clients knows nothing of agreements; agreements fills these from its AppConfig.ready().
"""

from core.registry import Registry

client_detail_panels = Registry("client detail")
client_list_columns = Registry("client list")
