"""The portal's web pages: server-rendered Jinja2 on the same queries and actions as the API."""
