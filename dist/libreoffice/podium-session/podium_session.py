"""Podium's session extension for LibreOffice.

A desktop session manager asks LibreOffice to keep its documents at a log
out through XSMP, and LibreOffice answers with its AutoRecovery's session
save: every open document, saved or not, comes back at the next start,
with no "LibreOffice crashed" dialog. LibreOffice's gtk3 back end, the one
Debian uses under Xfce and GNOME, never registers with the session
manager, so that path is dead there and a log off loses unsaved text.

This extension opens the same path to Podium. When LibreOffice shows its
first window, it listens on the abstract Unix socket
``@podium-office/<pid>``. Only root (the Podium daemon) and the user
LibreOffice runs as may connect. A client sends one line and reads one
JSON line back:

``documents``
    ``{"documents": [{"title": …, "modified": …, "url": …}]}``
``end-session``
    Does what LibreOffice does when a session manager ends the session:
    the AutoRecovery's ``doSessionSave`` then ``doSessionQuietQuit``, on
    LibreOffice's main thread. Answers
    ``{"kept": true, "documents": […]}`` (the documents as they were
    before, so ``modified`` says which held unsaved work) and quits; or
    ``{"kept": false, "error": …}`` and stays.
"""

import json
import os
import socket
import struct
import threading

import uno
import unohelper
from com.sun.star.awt import XCallback
from com.sun.star.beans import PropertyValue
from com.sun.star.task import XJob
from com.sun.star.util import URL

# A request is one short line; anything longer is not Podium's.
MAX_REQUEST = 64
# How long the main thread may take to keep every document.
SAVE_TIMEOUT_S = 60

_listening = False
_lock = threading.Lock()


class _OnMainThread(unohelper.Base, XCallback):
    """Runs a function on LibreOffice's main thread (AsyncCallback)."""

    def __init__(self, fn):
        self.fn = fn

    def notify(self, _data):
        self.fn()


def _on_main_thread(ctx, fn):
    callback = ctx.ServiceManager.createInstanceWithContext("com.sun.star.awt.AsyncCallback", ctx)
    callback.addCallback(_OnMainThread(fn), None)


def _documents(ctx):
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    found = []
    components = desktop.getComponents().createEnumeration()
    while components.hasMoreElements():
        doc = components.nextElement()
        try:
            found.append(
                {
                    "title": doc.getTitle(),
                    "modified": bool(doc.isModified()),
                    "url": doc.getURL(),
                }
            )
        except Exception:  # not a document (the Start Center, a Basic IDE …)
            continue
    return found


def _dispatch_recovery(ctx, names):
    recovery = ctx.getValueByName("/singletons/com.sun.star.frame.theAutoRecovery")
    transformer = ctx.ServiceManager.createInstanceWithContext("com.sun.star.util.URLTransformer", ctx)
    direct = uno.Enum("com.sun.star.beans.PropertyState", "DIRECT_VALUE")
    synchronous = (PropertyValue("DispatchAsynchron", 0, False, direct),)
    for name in names:
        url = URL()
        url.Complete = "vnd.sun.star.autorecovery:/" + name
        _, url = transformer.parseStrict(url)
        recovery.dispatch(url, synchronous)


def _end_session(ctx):
    documents = _documents(ctx)
    outcome = {}
    done = threading.Event()

    def keep():
        try:
            _dispatch_recovery(ctx, ("doSessionSave", "doSessionQuietQuit"))
        except Exception as e:  # reported to Podium, which goes on without us
            outcome["error"] = "LibreOffice could not keep the documents: %s" % e
        done.set()

    _on_main_thread(ctx, keep)
    if not done.wait(SAVE_TIMEOUT_S):
        return {"kept": False, "error": "LibreOffice did not keep the documents within %d s" % SAVE_TIMEOUT_S}
    if "error" in outcome:
        return {"kept": False, "error": outcome["error"], "documents": documents}
    return {"kept": True, "documents": documents}


def _quit(ctx):
    def terminate():
        ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx).terminate()

    _on_main_thread(ctx, terminate)


def _peer_uid(conn):
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    return uid


def _answer(ctx, conn):
    if _peer_uid(conn) not in (0, os.getuid()):
        return
    conn.settimeout(5)
    request = conn.recv(MAX_REQUEST).split(b"\n", 1)[0].strip()
    if request == b"documents":
        reply, then = {"documents": _documents(ctx)}, None
    elif request == b"end-session":
        reply = _end_session(ctx)
        then = _quit if reply.get("kept") else None
    else:
        reply, then = {"error": "unknown request"}, None
    conn.sendall((json.dumps(reply) + "\n").encode())
    if then is not None:
        then(ctx)


def _serve(ctx):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0podium-office/%d" % os.getpid())
    server.listen(4)
    while True:
        conn, _ = server.accept()
        try:
            _answer(ctx, conn)
        except Exception:  # one bad client must not end the service
            pass
        finally:
            conn.close()


class Listen(unohelper.Base, XJob):
    """The job LibreOffice runs when it shows its first window."""

    def __init__(self, ctx):
        self.ctx = ctx

    def execute(self, _args):
        global _listening
        with _lock:
            if _listening:
                return None
            _listening = True
        threading.Thread(target=_serve, args=(self.ctx,), name="podium-session", daemon=True).start()
        return None


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Listen, "org.podium.session.Listen", ("org.podium.session.Listen",))
