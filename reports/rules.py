"""Who may open the reports: anyone with a report scope (managers and coordinators of a unit,
superusers); what they see inside is cut to that scope by ``organization.scope``."""

import rules

from organization.scope import scope_unit


@rules.predicate
def has_report_scope(user) -> bool:
    return scope_unit(user) is not None


rules.add_perm("reports.view_reports", has_report_scope)
