"""Password policy beyond Django's validators."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
)


def _classes(password):
    chars = set(password)
    found = sum(1 for cls in _CLASSES if chars & cls)
    # Anything that is not an ASCII letter or digit (punctuation, a space, a CJK character) is a symbol.
    if any(c not in string.ascii_letters and c not in string.digits for c in chars):
        found += 1
    return found


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if _classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含小写字母、大写字母、数字、其他符号中的至少 %(n)d 类。") % {"n": self.min_classes}
