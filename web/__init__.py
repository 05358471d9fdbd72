"""Plain Flask routes beside the Dash pages: files to download, public feeds, report files."""

from __future__ import annotations

from flask import Flask


def register_routes(server: Flask) -> None:
    from web.cap import bp as cap  # public CAP 1.2 documents and their Atom feed
    from web.citizen import bp as citizen  # the citizen's SOS and tracking pages (plain HTML forms)
    from web.crew import bp as crew  # positions a crew's phone posts
    from web.crew import install_position_path
    from web.display_feed import bp as display_feed  # what the wall display fetches
    from web.exports import bp as exports  # EDXL-HAVE and CSV downloads
    from web.live import install_live  # the live views' version polls, and their fast path
    from web.offline import bp as offline  # the SOS page's service worker and web app manifest
    from web.plain_pages import install_error_pages, install_template_globals
    from web.queue_answer import bp as queue_answer  # Accept / Decline pressed on the SOS queue
    from web.queue_answer import install_accept_path
    from web.report_files import bp as report_files  # upload form and authorising download

    for blueprint in (exports, report_files, cap, display_feed, citizen, offline, crew, queue_answer):
        server.register_blueprint(blueprint)
    install_live(server)
    install_template_globals(server)
    install_error_pages(server)  # 403/404/500 in the reader's language
    install_position_path(server)  # the crew phones' common case, answered before Flask
    install_accept_path(server)  # the hospitals' Accept, answered before Flask
