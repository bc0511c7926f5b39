#!/usr/bin/python3
"""WebKitGTK scrolling, outside the kiosk: a bare 1080x1920 window with one transparent WebView (as the
kiosk's page is over the camera picture) scrolls a generated list and prints its frame intervals. For
trying WebKit feature flags and Mesa/WebKit environment variables in seconds, without a Rust build.
It needs Debian's python3-gi and gir1.2-webkit2-4.1 (the system python, not a virtualenv's).

    xvfb-run -a -s "-screen 0 1080x1920x24" /usr/bin/python3 scripts/webkit-scroll-probe.py \
        [--height PX] [--under-picture [--group] [--no-toggle]] [+FeatureName] [-FeatureName] ...

Environment: RGBA=0 (no RGBA visual), TRANSPARENT=0 (opaque page), plus anything WebKit or Mesa reads
(WEBKIT_SKIA_ENABLE_CPU_RENDERING=1 as the kiosk sets it, WEBKIT_DISABLE_COMPOSITING_MODE=1,
LP_NUM_THREADS, ...). Prints `p50 ms  p95 ms  frames`. Findings: docs/ARCHITECTURE.md, "Memory and
CPU". Use bench-browse for the kiosk itself; this window has no Tauri.

--under-picture puts the view in a GtkOverlay over a red widget (the kiosk's camera layer) and has the
page do what the kiosk's pages do: opaque black at first, transparent over the picture a second later.
It then reads the window's pixels, 0.5 s into the scroll, and prints whether the red shows through
above the list and under it (the list is 80 % black: rgb(51, 0, 0) is right). --group draws the view into a cairo group laid OVER the picture (needs python3-gi-cairo), which
undoes WebKit's SOURCE paint of its backing store when compositing is off. --no-toggle keeps the page
transparent from the start.
"""
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gdk, GLib, Gtk, WebKit2  # noqa: E402

PAGE = """<!doctype html><html><head><style>
html, body { margin: 0; height: 100%%; overflow: hidden; background: transparent; }
:root.opaque, :root.opaque body { background: #000; }
#s { position: absolute; left: 0; top: 400px; width: 1080px; height: %dpx; overflow-y: auto;
     background: rgba(0, 0, 0, 0.8); scrollbar-width: none; }
#s div { height: 60px; color: #fff; font-size: 30px; }
</style></head><body><div id="s"></div><script>
const s = document.getElementById('s');
s.innerHTML = Array.from({ length: 400 }, (_, i) => '<div>row ' + i + '</div>').join('');
if (location.hash === '#toggle') {
  document.documentElement.classList.add('opaque');
  setTimeout(() => document.documentElement.classList.remove('opaque'), 1000);
}
setTimeout(() => {
  const gaps = []; let last = performance.now(); const end = last + 4000;
  const step = (now) => {
    gaps.push(now - last); last = now; s.scrollTop += 12;
    if (now < end) { requestAnimationFrame(step); return; }
    gaps.shift(); gaps.sort((a, b) => a - b);
    const at = (p) => gaps[Math.floor(gaps.length * p)].toFixed(1);
    document.title = 'RESULT ' + at(0.5) + ' ' + at(0.95) + ' ' + gaps.length;
  };
  requestAnimationFrame(step);
}, 2000);
</script></body></html>"""


def under_picture(view, group):
    """The view over a red widget, as the kiosk's page is over its camera layer."""
    picture = Gtk.EventBox()
    red = Gtk.CssProvider()
    red.load_from_data(b"* { background-color: #ff0000; }")
    picture.get_style_context().add_provider(red, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION)
    overlay = Gtk.Overlay()
    overlay.add(picture)
    overlay.add_overlay(view)
    if group:
        import cairo

        def before(_widget, cr):
            cr.push_group_with_content(cairo.CONTENT_COLOR_ALPHA)
            return False

        def after(_widget, cr):
            cr.pop_group_to_source()
            cr.paint()
            return False

        view.connect("draw", before)
        view.connect_after("draw", after)
    return overlay


def main():
    args = sys.argv[1:]
    height = 1400
    if "--height" in args:
        i = args.index("--height")
        height = int(args[i + 1])
        del args[i : i + 2]
    under = "--under-picture" in args
    group = "--group" in args
    flags = [a for a in args if a[:1] in "+-" and not a.startswith("--")]

    win = Gtk.Window()
    win.set_default_size(1080, 1920)
    win.move(0, 0)
    visual = win.get_screen().get_rgba_visual()
    if visual and os.environ.get("RGBA", "1") == "1":
        win.set_visual(visual)
        win.set_app_paintable(True)
    view = WebKit2.WebView()
    settings = view.get_settings()
    features = WebKit2.Settings.get_all_features()
    known = {features.get(i).get_identifier(): features.get(i) for i in range(features.get_length())}
    for flag in flags:
        if flag[1:] not in known:
            sys.exit(f"{flag[1:]}: this WebKit has no such feature")
        settings.set_feature_enabled(known[flag[1:]], flag[0] == "+")
    if os.environ.get("TRANSPARENT", "1") == "1":
        clear = Gdk.RGBA()
        clear.parse("rgba(0,0,0,0)")
        view.set_background_color(clear)
    if under:
        win.add(under_picture(view, group))
    else:
        win.add(view)
    win.show_all()

    def on_title(*_):
        title = view.get_title() or ""
        if title.startswith("RESULT "):
            p50, p95, n = title.split()[1:]
            print(f"p50 {p50} ms  p95 {p95} ms  frames {n}  (scroller 1080x{height}, flags {flags or 'none'})")
            Gtk.main_quit()

    def look():
        # 1.5 s after the page turned transparent, before the scroll starts.
        for name, y in (("above the list", 200), ("under the list", 400 + height // 2)):
            pixel = Gdk.pixbuf_get_from_window(win.get_window(), 540, y, 1, 1).get_pixels()[:3]
            shows = pixel[0] > 40 and pixel[1] < 20
            print(f"{name}: rgb{tuple(pixel)}, the picture {'shows' if shows else 'does NOT show'}")
        return False

    view.connect("notify::title", on_title)
    toggle = under and "--no-toggle" not in args
    view.load_html(PAGE % height, "file:///#toggle" if toggle else "file:///")
    if under:
        GLib.timeout_add(2500, look)
    GLib.timeout_add_seconds(30, lambda: sys.exit("no result in 30 s"))
    Gtk.main()


if __name__ == "__main__":
    main()
