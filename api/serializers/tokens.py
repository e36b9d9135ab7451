from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import ApiToken
from .organisation import UserRefOut


class TokenOut(serializers.ModelSerializer):
    user = UserRefOut(read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "user", "created_at", "created_by", "last_used_at", "revoked_at",
                  "is_active"]
        read_only_fields = fields


class TokenCreatedOut(TokenOut):
    token = serializers.CharField(read_only=True, help_text="只显示这一次 / shown this once only")

    class Meta(TokenOut.Meta):
        fields = [*TokenOut.Meta.fields, "token"]
        read_only_fields = fields


class TokenIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="设备或系统名称")
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True, default=None,
        help_text="河长办可为他人创建;缺省为本人",
    )


class LoginIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, help_text="设备名称")
