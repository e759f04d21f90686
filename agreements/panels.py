"""What other apps add to the agreement pages (see core/registry.py).

The contract book knows nothing of coverage; agreements/coverage fills these from its
AppConfig.ready(): the coverage of each requirement on the agreement page, a coverage column
(with its filter) wherever agreements are listed, how current that coverage is above the
agreement list, and a draft's pre-sale verdict above its form.
"""

from core.registry import Registry

agreement_detail_panels = Registry("agreement detail")
agreement_list_panels = Registry("above the agreement list")
agreement_columns = Registry("agreement lists: the list page and the client page")
agreement_form_panels = Registry("above the agreement form")
