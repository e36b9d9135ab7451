import pytest
from rest_framework.test import APIClient

from api.auth import digest_of
from api.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_user_creates_lists_and_revokes_their_own_tokens(chief, api_for):
    client = api_for(chief)
    created = client.post("/api/tokens/", {"name": "巡河手机"}, format="json")
    assert created.status_code == 201
    data = created.json()
    secret = data["token"]
    assert data["name"] == "巡河手机" and secret.startswith(data["prefix"])
    # Only the digest is stored.
    token = ApiToken.objects.get(pk=data["id"])
    assert token.digest == digest_of(secret) and secret not in (token.digest, token.prefix)
    assert bearer(secret).get("/api/me/").json()["username"] == "chief"
    assert ApiToken.objects.get(pk=data["id"]).last_used_at is not None
    listed = client.get("/api/tokens/").json()["results"]
    assert {t["name"] for t in listed} == {"测试手机", "巡河手机"}
    assert all("token" not in t for t in listed)
    assert client.delete(f"/api/tokens/{data['id']}/").status_code == 204
    response = bearer(secret).get("/api/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert client.get(f"/api/tokens/{data['id']}/").json()["is_active"] is False


def test_office_issues_and_revokes_for_anyone(office, chief, api_for):
    client = api_for(office)
    data = client.post("/api/tokens/", {"name": "村级河长平板", "user": chief.pk}, format="json").json()
    assert data["user"]["id"] == chief.pk
    assert bearer(data["token"]).get("/api/me/").json()["id"] == chief.pk
    assert {t["user"]["id"] for t in client.get("/api/tokens/", {"user": chief.pk}).json()["results"]} == {chief.pk}
    assert client.delete(f"/api/tokens/{data['id']}/").status_code == 204
    assert bearer(data["token"]).get("/api/me/").status_code == 401


def test_chief_cannot_issue_for_others_nor_see_their_tokens(chief, office, api_for):
    client = api_for(chief)
    response = client.post("/api/tokens/", {"name": "x", "user": office.pk}, format="json")
    assert response.status_code == 403
    api_for(office)
    office_token = ApiToken.objects.get(user=office)
    assert client.get(f"/api/tokens/{office_token.pk}/").status_code == 404
    assert client.delete(f"/api/tokens/{office_token.pk}/").status_code == 404
    assert all(t["user"]["id"] == chief.pk for t in client.get("/api/tokens/").json()["results"])


def test_token_name_is_required(chief, api_for):
    response = api_for(chief).post("/api/tokens/", {"name": "  "}, format="json")
    assert response.status_code == 400 and "name" in response.json()["error"]["fields"]


def test_login_exchanges_a_password_for_a_device_token(chief):
    response = APIClient().post("/api/auth/token/", {"username": "chief", "password": "pw-for-tests-1",
                                                     "name": "华为手机"}, format="json")
    assert response.status_code == 201, response.content
    assert bearer(response.json()["token"]).get("/api/me/").json()["roles"] == ["chief"]


def test_login_with_a_wrong_password_gets_no_token(chief):
    response = APIClient().post("/api/auth/token/", {"username": "chief", "password": "nope", "name": "x"},
                                format="json")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer hz_nope", "Token hz_nope"])
def test_bad_tokens_are_401(header, chief):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_inactive_user_token_stops_working(chief, api_for):
    client = api_for(chief)
    chief.is_active = False
    chief.save(update_fields=["is_active"])
    assert client.get("/api/me/").status_code == 401


def test_issue_api_token_command(chief):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("issue_api_token", "chief", "城市平台", stdout=out)
    assert bearer(out.getvalue().strip()).get("/api/me/").json()["username"] == "chief"
