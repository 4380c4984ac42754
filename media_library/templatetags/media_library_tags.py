from django import template

from ..blocks import render_player

register = template.Library()


@register.simple_tag
def media_player(media):
    """``{% media_player page.video %}``: the same player markup as the StreamField blocks."""
    return render_player(media)
