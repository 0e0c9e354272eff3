"""The templates' environment writes every value as Jinja with autoescaping writes it: its faster ``text`` equals
MarkupSafe's ``escape``, and a template drawn by it equals the same template drawn by a plain Jinja environment."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe
from hypothesis import given, settings
from hypothesis import strategies as st

from kgpub.web import templating


class _Html:
    """A value that says how it is written in HTML (as a Link or Markup does)."""

    def __init__(self, html: str) -> None:
        self.html = html

    def __html__(self) -> str:
        return self.html


#: Text with the characters escaping replaces, often.
TEXT = st.text(alphabet=st.sampled_from(list("&<>'\"aé ;#\u202e\U0001f600")) | st.characters(), max_size=40)
VALUES = st.one_of(TEXT, TEXT.map(markupsafe.Markup), TEXT.map(_Html), st.integers(), st.floats(allow_nan=False),
                   st.none(), st.booleans(), st.lists(TEXT, max_size=3))

TEMPLATE = """\
<p title="{{ v }}">{{ v }}</p>{{ v|e }} {{ v|string }}
{% macro shown(x) %}<b>{{ x }}</b>{% endmacro %}{{ shown(v) }}
{% set kept %}<i>{{ v }}</i>{% endset %}{{ kept }} {{ kept|length }}
{% for x in [v, v] %}{{ loop.index }}{{ x }}{% endfor %}
{% autoescape false %}{{ v }}{% endautoescape %}
"""


@settings(max_examples=500, deadline=None)
@given(VALUES)
def test_text_writes_a_value_as_escape_does(value: Any) -> None:
    written = templating.text(value)
    assert type(written) is str and written == str(markupsafe.escape(value))


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_a_template_draws_the_same_page_as_a_plain_jinja_environment(value: Any) -> None:
    ours = templating.environment()
    plain = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                               undefined=jinja2.StrictUndefined)
    assert ours.code_generator_class is not plain.code_generator_class  # the faster writer is the one in use
    assert ours.from_string(TEMPLATE).render(v=value) == plain.from_string(TEMPLATE).render(v=value)
