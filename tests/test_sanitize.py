"""The one allow-list for user-written HTML (foro/sanitize.py), against RELIABILITY.md's payloads."""

import pytest

from foro.sanitize import clean_user_html, is_blank, normalise_plain_text, user_html

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<button formaction="javascript:alert(1)">x</button>',
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    '<p style="color:red" onclick="alert(1)">hola</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://example.org"></iframe>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dangerous_markup_is_removed(payload):
    cleaned = clean_user_html(payload).lower()
    for marker in ("<script", "onerror", "onload", "onclick", "javascript:", "data:", "<img", "<svg",
                   "<button", "<style", "style=", "<iframe", "formaction"):
        assert marker not in cleaned


def test_allowed_subset_is_kept_and_links_get_rel():
    html = (
        '<p>Hola <strong>Cali</strong> <em>bonita</em></p><ul><li>uno</li></ul><ol><li>dos</li></ol>'
        '<blockquote>cita</blockquote><a href="https://www.cali.gov.co" title="Alcaldía">enlace</a><br>'
    )
    cleaned = clean_user_html(html)
    for tag in ("<p>", "<strong>", "<em>", "<ul>", "<ol>", "<li>", "<blockquote>", "<br>"):
        assert tag in cleaned
    assert 'href="https://www.cali.gov.co"' in cleaned
    assert 'rel="nofollow noopener noreferrer"' in cleaned
    assert 'title="Alcaldía"' in cleaned


def test_mailto_allowed_and_other_schemes_dropped():
    mail_link = '<a href="mailto:participacion@cali.gov.co">m</a>'
    assert 'href="mailto:participacion@cali.gov.co"' in clean_user_html(mail_link)
    assert "ftp:" not in clean_user_html('<a href="ftp://example.org">f</a>')


def test_text_of_dropped_tags_survives_and_template_syntax_is_inert():
    assert clean_user_html("<h1>Título</h1>") == "Título"
    assert clean_user_html("{{7*7}}") == "{{7*7}}"


def test_unicode_round_trips():
    text = "<p>Añoranza, pingüino y café ☕ 🚲</p>"
    assert clean_user_html(text) == text


def test_user_html_filter_cleans_again_on_the_way_out():
    assert "<script" not in str(user_html("<p>ok</p><script>alert(1)</script>"))
    assert str(user_html(None)) == ""


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b\u200b", " \u200d \ufeff "])
def test_blank_detection(text):
    assert is_blank(text)


def test_non_blank_and_normalisation():
    assert not is_blank(" a ")
    # "é" as e + combining accent is stored as the single precomposed character.
    assert normalise_plain_text("  Jose\u0301 ") == "José"
