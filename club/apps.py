from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class ClubConfig(AppConfig):
    """The membership club (车友俱乐部, SPEC §10.6): cards, points ledger, redemption, activities."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "club"
    verbose_name = _("车友俱乐部")

    # view_membercard: the member list and card pages; add_membercard: enrol, replace, renew;
    # add_pointentry: redeem and adjust points; add_participation: register activity participants;
    # change_clubsettings: a store's level thresholds.
    role_permissions = {
        R.CALLBACK_AGENT: ["club.view_membercard", "club.view_activity"],
        R.CR_MANAGER: [
            "club.view_membercard",
            "club.add_membercard",
            "club.add_pointentry",
            "club.view_activity",
            "club.add_activity",
            "club.add_participation",
            "club.change_clubsettings",
        ],
        R.GENERAL_MANAGER: ["club.view_membercard", "club.view_activity"],
    }
    nav_items: list = []

    def ready(self) -> None:
        from club.ro_points import RO_POINTS_ORDER, ro_points_after_import
        from club.selectors import customer_club_flags
        from club.services import suggestion_points_book
        from crm.card_flags import register_card_flag
        from crm.importing.registry import register_post_import
        from crm.roles import NavItem
        from voc.adoption import on_suggestion_adopted

        self.nav_items = [
            NavItem(_("俱乐部会员"), "club:card_list", "club.view_membercard", "person-vcard", 40, group="callbacks"),
            NavItem(_("会员活动"), "club:activity_list", "club.view_activity", "flag", 41, group="callbacks"),
            NavItem(_("俱乐部设置"), "club:settings", "club.change_clubsettings", "award", 87, group="settings"),
        ]
        register_post_import(ro_points_after_import, order=RO_POINTS_ORDER)
        register_card_flag(customer_club_flags)
        on_suggestion_adopted(suggestion_points_book)
