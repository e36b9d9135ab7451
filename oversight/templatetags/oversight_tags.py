from django import template

register = template.Library()


@register.filter
def pct(value):
    """A share as a percentage; "—" where the figure has no denominator."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def indent(depth):
    return "\u3000" * int(depth or 0)


@register.filter
def is_office(user):
    from tickets import rules

    return rules.is_office(user)
