"""Every user-facing string can be translated: templates hold no bare text, and the catalogue extracts."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "foro" / "templates").rglob("*.html"))
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_TEXT_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"')
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚáéíóúÑñ]{2,}")


def _bare_text(source: str) -> list[str]:
    without_jinja = _JINJA.sub(" ", source)
    found = [value for value in _TEXT_ATTRIBUTES.findall(without_jinja) if _WORD.search(value)]
    text = _TAG.sub(" ", without_jinja)
    found += [chunk.strip() for chunk in text.splitlines() if _WORD.search(chunk)]
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "foro" / "templates")))
def test_templates_have_no_untranslated_text(template):
    assert _bare_text(template.read_text(encoding="utf-8")) == []


def test_the_detector_finds_bare_text():
    assert _bare_text('<p>Hola</p><a title="Inicio">{{ _("Sí") }}</a>') == ["Inicio", "Hola"]


def test_message_catalogue_extracts(tmp_path):
    output = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(output), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    catalogue = output.read_text(encoding="utf-8")
    for message in ("Cronograma", "Participante eliminado", "Respuesta vencida", "Escribe un título."):
        assert f'msgid "{message}"' in catalogue


def test_a_browser_preferring_an_unavailable_language_gets_spanish(client, reference):
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Iniciar sesión" in html and "Cronograma" in html
