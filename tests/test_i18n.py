"""The English UI (SPEC §3): the msgids are the Simplified Chinese strings, locale/en holds English.

The .po file is checked without gettext tools: every entry is translated, none is fuzzy, and every
python-format placeholder of a msgid appears in its msgstr (a missing one raises at render time).
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import CustomerFactory

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


def _unquote(lines: list[str]) -> str:
    text = "".join(re.match(r'^(?:msg\w+(?:\[\d\])?\s+)?"(.*)"$', line).group(1) for line in lines)
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list: one per plural form), flags."""
    entries, current, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = {"flags": set(), "fields": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msg"):
            field = line.split()[0]
            current["fields"].setdefault(field, []).append(line)
        else:
            current["fields"][field].append(line)
    result = []
    for entry in entries:
        fields = {name: _unquote(lines) for name, lines in entry["fields"].items()}
        if "msgid" not in fields:
            continue
        strs = [fields[k] for k in sorted(fields) if k.startswith("msgstr")]
        result.append(
            {
                "msgid": fields["msgid"],
                "msgctxt": fields.get("msgctxt"),
                "msgid_plural": fields.get("msgid_plural"),
                "msgstr": strs,
                "flags": entry["flags"],
            }
        )
    return result


@pytest.fixture(scope="module")
def entries():
    return [e for e in parse_po(PO) if e["msgid"]]


def test_compiled_mo_is_committed_and_matches_the_po(entries):
    """A bare machine has no gettext tools: the .mo is committed and must be compiled from this .po."""
    assert len(entries) > 900
    with MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    stale = []
    for e in entries:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]
        keys = [(key, i) for i in range(len(e["msgstr"]))] if e["msgid_plural"] else [key]
        got = [catalog.get(k) for k in keys]
        if got != e["msgstr"]:
            stale.append(e["msgid"])
    assert stale == [], "recompile: msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po"


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert empty == []
    assert fuzzy == []
    plural = [e for e in entries if e["msgid_plural"]]
    assert plural and all(len(e["msgstr"]) == 2 for e in plural)


def test_translations_keep_every_placeholder(entries):
    wrong = []
    for e in entries:
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        for text in e["msgstr"]:
            if sorted(PLACEHOLDER.findall(text)) != wanted and "python-format" in e["flags"]:
                wrong.append((e["msgid"], text))
            if e["msgid"].count("%%") != text.count("%%"):
                wrong.append((e["msgid"], text))
    assert wrong == []


def test_translations_are_english(entries):
    """No Chinese left in a msgstr except quoted source values (sheet names, 是/否, plate examples)."""
    allowed = {"是", "否", "交车", "工单", "回访结果", "投诉", "退订", "皖", "销售", "售后"}
    cjk = re.compile(r"[\u4e00-\u9fff]+")
    leftovers = [
        (e["msgid"], word)
        for e in entries
        for s in e["msgstr"]
        for word in cjk.findall(re.sub(r"\{\w+\}", "", s))  # {称呼}-style placeholders stay
    ]
    assert [item for item in leftovers if item[1] not in allowed and not item[1].startswith("皖")] == []


@pytest.mark.parametrize(
    ("msgid", "english"),
    [("客户档案", "Customers"), ("回访", "Callbacks"), ("投诉", "Complaints"), ("回访专员", "Callback agent")],
)
def test_key_strings_translate(msgid, english):
    with translation.override("en"):
        assert translation.gettext(msgid) == english
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == msgid


def test_plural_and_placeholder_rendering():
    with translation.override("en"):
        assert translation.ngettext("共 %(n)s 位客户", "共 %(n)s 位客户", 1) % {"n": 1} == "1 customer"
        assert translation.ngettext("共 %(n)s 位客户", "共 %(n)s 位客户", 3) % {"n": 3} == "3 customers"
        assert translation.gettext("投诉 %(no)s 已受理。") % {"no": "LA-1"} == "Complaint LA-1 received."


def test_login_page_follows_accept_language(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html and "登录" not in html.replace("简体中文", "")
    default = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="zh-hans">' in default and "登录" in default


def test_language_cookie_renders_the_customer_list_in_english(client_for, agent, store_a):
    CustomerFactory.create_batch(2, store=store_a)
    client = client_for(agent)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("crm:customer_list")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("crm:customer_list")).content.decode()
    assert '<html lang="en">' in html
    for text in ("Customers", "Callbacks", "Search", "2 customers", "Log out"):
        assert text in html
    for text in ("客户档案", "搜索", "退出登录"):
        assert text not in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "客户档案" in client.get(reverse("crm:customer_list")).content.decode()


def test_call_queue_in_english(client_for, agent, store_a):
    client = client_for(agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("callbacks:queue")).content.decode()
    assert "Next callback" in html and "下一个回访" not in html


def test_text_for_the_customer_stays_chinese_in_the_english_ui(cr_manager):
    from surveys.choices import TemplateKind
    from surveys.services import template_create

    with translation.override("en"):
        template = template_create(code="t-en", name="T", kind=TemplateKind.SALES, user=cr_manager)
    assert template.versions.get().questions.get().text == "您对本次服务的总体满意程度如何?"
