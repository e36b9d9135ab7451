from rest_framework import serializers


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码 / machine-readable code")
    message = serializers.CharField(help_text="按请求语言(默认中文)")
    message_en = serializers.CharField()
    fields = serializers.DictField(child=serializers.CharField(), required=False)
    current_state = serializers.CharField(required=False, allow_null=True)


class ErrorOut(serializers.Serializer):
    error = ErrorDetailOut()
