"""The alert queue's pages: the queue of a region (filters, sorting, paging), an alert's page with its evidence
as tables and a timeline, and the steps of its review (review, confirm into an inspection finding, dismiss with a
reason, reopen, add the subject to the next draw of a plan). Regulators only.

One module per sub-domain; the views are re-exported here for ``urls.py``."""

from peikao.oversight.views.queue import alert_detail, alert_list, alert_step

__all__ = ["alert_detail", "alert_list", "alert_step"]
