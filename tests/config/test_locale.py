import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, "en-US,en;q=0.9", "zh-hans"),  # an English browser alone does not switch the UI
        (None, "", "zh-hans"),
        ("en", "zh-CN", "en"),  # the user's own choice wins
        ("zh-hans", "en-US", "zh-hans"),
        ("fr", "fr-FR", "zh-hans"),  # a language we do not offer falls back to Chinese
    ],
)
def test_language_is_chinese_unless_the_user_chose(client, settings, cookie, accept, expected):
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.headers["Content-Language"] == expected


@pytest.mark.django_db
def test_the_language_switch_sets_the_choice(client, settings):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert page.headers["Content-Language"] == "en"
