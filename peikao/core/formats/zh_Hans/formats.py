"""Amounts of money are grouped by thousands with a comma, as in the decisions, the lawful ranges beside them and
the fines of a notice's tables (278,770,000): Django's zh_Hans data groups by four digits with no separator, so
``intcomma`` and ``floatformat:"0g"`` printed 278770000. Everything else comes from Django's zh_Hans formats."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
