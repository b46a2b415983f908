import pytest
from django.test import Client

from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.people.models import Child

from ..accounts.helpers import sign_in_verified


@pytest.fixture
def signed_in(client: Client, worker_user: User) -> Client:
    sign_in_verified(client, worker_user)
    return client


def test_pages_need_sign_in(client: Client, child: Child) -> None:
    for url in ("/children/?q=Jones", f"/children/{child.la_child_id}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/?next=")


def test_search_by_name_finds_the_child(signed_in: Client, child: Child) -> None:
    response = signed_in.get("/children/", {"q": "amelia jon"})
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [child]
    assert b"1 child found" in response.content


def test_search_by_id_is_exact(signed_in: Client, child: Child) -> None:
    assert list(signed_in.get("/children/", {"q": "c100"}).context["page_obj"]) == [child]
    assert list(signed_in.get("/children/", {"q": "C10"}).context["page_obj"]) == []


def test_empty_search_explains_what_to_enter(signed_in: Client) -> None:
    response = signed_in.get("/children/", {"q": " "})
    assert b"Enter a name or an ID to search for" in response.content
    assert response.context["page_obj"] is None


def test_child_record_shows_the_chronology(signed_in: Client, full_journey: Referral) -> None:
    response = signed_in.get(f"/children/{full_journey.child.la_child_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Amelia Jones" in html
    assert (
        html.index("Case closed")
        < html.index("Child protection plan started")
        < html.index("Referral to children&#x27;s social care")
    )


def test_unknown_child_is_not_found(signed_in: Client) -> None:
    assert signed_in.get("/children/NOPE123/").status_code == 404


def test_pages_send_a_content_security_policy_with_a_nonce(signed_in: Client) -> None:
    response = signed_in.get("/children/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
