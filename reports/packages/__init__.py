"""The monthly report package (SPEC §9): freezing tables (snapshot), the submit/approve state machine
(approval) and its pages (views)."""
