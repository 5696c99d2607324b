"""The SMS gateway (SPEC §10): one log of every message, pluggable backends, replies and quiet hours.

Other apps send through `crm.sms.services.sms_send` and learn about replies through
`crm.sms.registry.register_reply_handler`; crm imports none of them.
"""
