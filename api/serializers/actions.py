"""Inputs of the flow's actions, one class each; the service validates again and names the field."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from .fields import DeadlineField


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class EmptyIn(serializers.Serializer):
    pass


class AssignIn(serializers.Serializer):
    chief = serializers.PrimaryKeyRelatedField(queryset=_active_users(), help_text="责任河长的用户 id")
    due_at = DeadlineField(help_text="整改期限:日期(当日 23:59:59)或 ISO 8601 日期时间")
    instructions = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SubmitIn(serializers.Serializer):
    measures = serializers.CharField(max_length=4000, help_text="整改措施;整改后照片先经附件接口上传(kind=after)")


class CommentOptionalIn(serializers.Serializer):
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ReassignIn(serializers.Serializer):
    chief = serializers.PrimaryKeyRelatedField(queryset=_active_users())
    reason = serializers.CharField(max_length=4000)
    due_at = DeadlineField(required=False, allow_null=True, default=None)


class DeadlineIn(serializers.Serializer):
    due_at = DeadlineField()
    reason = serializers.CharField(max_length=4000)


class CommentIn(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ExtensionRequestIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
    proposed_due_at = DeadlineField(help_text="申请的新期限")


class ExtensionDecisionIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "批准"), ("refuse", "驳回")])
    due_at = DeadlineField(required=False, allow_null=True, default=None, help_text="批准时可另定期限;缺省为申请的期限")
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="",
                                    help_text="驳回时必填(理由)")
