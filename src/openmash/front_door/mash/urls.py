"""The MASH's work (queue, contacts, matching, rating, checks, decisions, researchers' inbox)."""

from django.urls import URLPattern, path, register_converter

from . import views


class ContactKeyConverter:
    """A contact's reference (MC-XXXX-XXXX), or K and its key for one without: nothing else reaches a view."""

    regex = "MC-[A-Z0-9]{4}-[A-Z0-9]{4}|K[0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class RequestIdConverter:
    """A request's number, short enough for any integer column (a longer one is a page that does not exist)."""

    regex = "[0-9]{1,12}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(ContactKeyConverter, "contact_key")
register_converter(RequestIdConverter, "request_id")

urlpatterns: list[URLPattern] = [
    path("mash/", views.queue, name="queue"),
    path("mash/contacts/new/", views.contact_new, name="contact_new"),
    path("mash/suggest/", views.suggest, name="suggest"),
    path("mash/contacts/<contact_key:key>/", views.contact, name="contact"),
    path("mash/contacts/<contact_key:key>/match/", views.contact_match, name="contact_match"),
    path("mash/contacts/<contact_key:key>/new-child/", views.contact_new_child, name="contact_new_child"),
    path("mash/contacts/<contact_key:key>/rate/", views.contact_rate, name="contact_rate"),
    path("mash/contacts/<contact_key:key>/checks/", views.contact_requests, name="contact_requests"),
    path("mash/contacts/<contact_key:key>/decide/", views.contact_decide, name="contact_decide"),
    path("information-requests/", views.inbox, name="inbox"),
    path("information-requests/<request_id:request_id>/", views.request_answer, name="request_answer"),
]
