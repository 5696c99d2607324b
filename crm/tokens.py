"""Secret tokens (API clients, the customer's survey link) are stored only as their SHA-256: the
token itself is shown once (or sent once) and not kept — a survey-link SMS holds it only until it
leaves the outbox (crm.sms.models.SmsMessage.body_redacted) — so a copy of the database opens nothing."""

import hashlib


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
