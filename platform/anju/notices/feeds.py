"""The Atom feed of a notice list's latest notices (<list>/feed/), built with Django's
syndication framework. It lists exactly what the list shows first."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .queries import listed_notices

#: How many notices the feed carries.
FEED_LENGTH = 20


class NoticeFeed(Feed):
    feed_type = Atom1Feed

    def __init__(self, index):
        super().__init__()
        self.index = index
        self.request = None

    def __call__(self, request, *args, **kwargs):
        self.request = request
        self.language = get_language()
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return _("%(title)s: latest notices") % {"title": self.index.title}

    def subtitle(self):
        return self.index.intro or _("Notices of the community")

    def link(self):
        return self.index.get_url(self.request)

    def items(self):
        return list(listed_notices(root=self.index)[:FEED_LENGTH])

    def item_title(self, notice):
        return notice.title

    def item_description(self, notice):
        return notice.summary or Truncator(notice.body_text()).chars(200)

    def item_link(self, notice):
        return notice.get_url(self.request)

    def item_pubdate(self, notice):
        return notice.first_published_at

    def item_updateddate(self, notice):
        return notice.last_published_at or notice.first_published_at

    def item_categories(self, notice):
        return [str(notice.category_label)]
