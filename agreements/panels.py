"""What other apps add to the agreement pages (see core/registry.py).

The contract book knows nothing of coverage; agreements/coverage fills these from its
AppConfig.ready(): the coverage of each requirement on the agreement page, and a coverage column
(with its filter) on the agreement list and on the client page's agreements panel.
"""

from core.registry import Registry

agreement_detail_panels = Registry("agreement detail")
agreement_list_columns = Registry("agreement list")
client_agreement_columns = Registry("agreements on the client page")
