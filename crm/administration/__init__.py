"""The administrator's pages (用户、门店、部门): users with their roles, stores and linked staff record,
stores, and each store's departments with their manager — in the app, in Chinese, beside the
Django admin. Administrators and superusers only (`access.is_administrator`)."""
