"""The Stripe events admins choose to have announced (`/notify`), beyond connectbot's own.

`subscriptions` adds, lists and removes what an admin chose (audited, checked against the
webhook endpoints Stripe sends to); `announcements` posts a subscribed event, in the generic
rendering (`bot.views.event_notice`), once per event and channel.
"""
