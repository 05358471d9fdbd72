import time
from pyinstrument import Profiler
from tests.security.test_queue_refresh import Screen, _long_queue


def test_profile(auth, web_app, web_people, web_db):
    _long_queue(web_db, web_people, 300)
    auth.login("admin.a@example.in")
    screen = Screen(auth, web_app)
    screen.refresh()
    for _ in range(20):
        screen.refresh()
    started = time.perf_counter()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(300):
        screen.refresh()
    profiler.stop()
    print("per poll ms", (time.perf_counter() - started) / 300 * 1000)
    print(profiler.output_text(unicode=False, color=False, show_all=False))
