"""API tokens: list, create (shown once), revoke; and exchanging a password for a device token."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tickets import rules

from ..auth import token_issue, token_revoke
from ..models import ApiToken
from ..serializers.tokens import LoginIn, TokenCreatedOut, TokenIn, TokenOut


def _created(token, secret):
    data = TokenCreatedOut(token).data
    data["token"] = secret
    return data


def tokens_visible_to(user):
    tokens = ApiToken.objects.select_related("user")
    return tokens if rules.is_office(user) else tokens.filter(user=user)


class TokenListView(generics.GenericAPIView):
    serializer_class = TokenOut
    filter_backends = []

    def get_queryset(self):
        tokens = tokens_visible_to(self.request.user)
        user = self.request.query_params.get("user", "")
        if user.isascii() and user.isdigit() and int(user) < 2**63:
            tokens = tokens.filter(user_id=int(user))
        return tokens

    @extend_schema(
        operation_id="tokens_list",
        tags=["tokens"],
        summary="我的令牌(河长办:所有人的)",
        parameters=[OpenApiParameter("user", int, description="河长办按用户筛选")],
        responses=TokenOut(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TokenOut(page, many=True).data)

    # Not idempotent on purpose: a stored response would keep the token's secret in clear.
    @extend_schema(operation_id="tokens_create", tags=["tokens"], request=TokenIn, responses={201: TokenCreatedOut})
    def post(self, request):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = data.validated_data["user"] or request.user
        token, secret = token_issue(actor=request.user, user=user, name=data.validated_data["name"])
        return Response(_created(token, secret), status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    def _token(self, request, pk):
        return get_object_or_404(tokens_visible_to(request.user), pk=pk)

    @extend_schema(operation_id="tokens_retrieve", tags=["tokens"], responses=TokenOut)
    def get(self, request, pk):
        return Response(TokenOut(self._token(request, pk)).data)

    @extend_schema(operation_id="tokens_revoke", tags=["tokens"], summary="吊销令牌 / revoke", responses={204: None})
    def delete(self, request, pk):
        token_revoke(actor=request.user, token=self._token(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginTokenView(APIView):
    """For the patrol app's first start: username and password in, a named device token out."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="auth_token_create", tags=["tokens"], auth=[], request=LoginIn,
                   responses={201: TokenCreatedOut})
    def post(self, request):
        data = LoginIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            raise AuthenticationFailed(_("用户名或密码错误。"))
        token, secret = token_issue(actor=user, user=user, name=data.validated_data["name"])
        return Response(_created(token, secret), status=status.HTTP_201_CREATED)
