"""The report tables of SPEC §9–§10: one module per family of tables (satisfaction tables 7/8, callbacks,
complaints, card analysis, service KPIs, SMS log, reminders, win-back, club). Each builder returns a
crm.reporting.ReportTable and is registered in reports.catalog."""
