"""The dashboard: server-rendered pages under ``/ui`` that show runs, their charts and their problems.

It reads through the runs and problems slices (plus a few binned queries of its own in ``repository``),
draws its charts as SVG on the server (``charts``) and polls its own small JSON for live status
(``static/ui.js``); nothing is fetched from another origin. ``endpoints.install_ui`` adds the routes.
"""
