"""The general manager's dashboard (SPEC §9): the figures stored per store and month (figures), the KPI
rules they come from (kpis, questions, retention), the staff drill-down (board), and the pages (views)."""
