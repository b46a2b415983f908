"""URL pieces every domain shares.

`<la_child_id:...>` matches only what an LA child ID can be (1 to 20 letters or digits), so a hostile
path segment (NUL, 5,000 characters, other scripts) is answered as a page that does not exist before
any view or database sees it.
"""

from django.urls import register_converter


class LaChildIdConverter:
    regex = "[A-Za-z0-9]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LaChildIdConverter, "la_child_id")
