"""The Voila process's kernels: who serves a visitor, whose page is gone, who may ask for a query.

Used by :mod:`cxlab.serve._launcher` inside the Voila process, to cap the
live kernels (``--max-kernels``) without counting the preheated ones twice,
to give a new visitor the kernel of a page that went without a word, and to
guard the socket through which a preheated kernel gets its visitor's query.
"""

from __future__ import annotations

import contextvars
import logging

__all__ = [
    "watch_visitor_kernels",
    "visitor_kernels",
    "pending_visitors",
    "admit",
    "admitted",
    "track_connections",
    "reclaim_kernels",
    "guard_query_socket",
    "RECLAIM_NEVER_CONNECTED_SECONDS",
    "PAGE_GONE_GRACE_SECONDS",
]

#: Kernels handed to visitors (Voila's page handler took one from the pool or started one).
_VISITOR_KERNELS: set[str] = set()
#: The request being served (its slot: True once Voila has named its kernel).
_ADMISSION: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar("cxlab_admission", default=None)
#: Visitors admitted whose kernel is not known yet.
_PENDING = [0]
#: Kernels that have had a page connected: one with no connection left has lost its page.
_CONNECTED_ONCE: set[str] = set()
#: A kernel no page ever connected to (a link preview, a page closed while it loaded) is
#: given to a new visitor once idle this long; one that lost its page at once.
RECLAIM_NEVER_CONNECTED_SECONDS = 30
#: The first preheated kernel ready (said once: the link opens quickly from then on).
_ANNOUNCED: list[str] = []
#: Shutdowns under way (see :func:`_shut_down_if_gone`).
_SHUTTING_DOWN: set = set()
#: A visitor's kernel whose page lost its last connection and did not come back
#: within this many seconds is shut down.  The page's own shutdown request (a
#: beacon sent as it unloads) is not guaranteed to leave a closing browser; a
#: page whose network blinked reconnects well within this.
PAGE_GONE_GRACE_SECONDS = 20


def _record_visitor(kernel_id: str) -> None:
    _VISITOR_KERNELS.add(kernel_id)
    slot = _ADMISSION.get()  # the request's: Voila calls the kernel manager in the request's task
    if slot is not None and not slot[0]:
        slot[0] = True
        _PENDING[0] -= 1


def watch_visitor_kernels(km) -> None:
    """Record the kernels Voila's page handler gives visitors (its calls, not the pool's own starts).

    The pool starts its kernels through the class (``super().start_kernel``);
    the page handler calls the instance's ``start_kernel`` (pool empty) or
    ``get_rendered_notebook`` (a kernel from the pool), wrapped here once.
    """
    if getattr(km, "_cxlab_watched", False):
        return
    from jupyter_core.utils import ensure_async

    start, take = km.start_kernel, getattr(km, "get_rendered_notebook", None)

    async def start_kernel(*args, **kwargs):
        kernel_id = await ensure_async(start(*args, **kwargs))
        _record_visitor(kernel_id)
        return kernel_id

    km.start_kernel = start_kernel
    if take is not None:

        async def get_rendered_notebook(*args, **kwargs):
            result = await take(*args, **kwargs)
            _record_visitor(result[2])  # (render task, rendered cells, kernel id)
            return result

        km.get_rendered_notebook = get_rendered_notebook
    km._cxlab_watched = True


def visitor_kernels(km) -> set[str]:
    """The live kernels that serve visitors (the preheated ones are not among them)."""
    _VISITOR_KERNELS.intersection_update(km.list_kernel_ids())
    return set(_VISITOR_KERNELS)


def pending_visitors() -> int:
    """Visitors admitted whose kernel Voila has not named yet."""
    return _PENDING[0]


def admit() -> list[bool]:
    """Count the current request as a visitor until its kernel is known; its slot for :func:`admitted`."""
    slot = [False]
    _PENDING[0] += 1
    _ADMISSION.set(slot)
    return slot


def admitted(slot: list[bool]) -> None:
    """The request is over: if Voila named no kernel for it (an error first), it no longer counts."""
    if not slot[0]:
        slot[0] = True
        _PENDING[0] -= 1


def track_connections(grace: float = PAGE_GONE_GRACE_SECONDS) -> None:
    """Remember which kernels a page has connected to, and shut down a visitor's kernel whose page is gone.

    :func:`reclaim_kernels` needs the first.  The second does not wait for
    the culler: a visitor's kernel left with no connection for ``grace``
    seconds is shut down (a busy one is looked at again later).
    """
    import asyncio

    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    connect, disconnect = MappingKernelManager.notify_connect, MappingKernelManager.notify_disconnect
    log = logging.getLogger("Voila")

    def notify_connect(self, kernel_id):
        _CONNECTED_ONCE.add(kernel_id)
        return connect(self, kernel_id)

    def notify_disconnect(self, kernel_id):
        disconnect(self, kernel_id)
        if self._kernel_connections.get(kernel_id, 0) == 0 and kernel_id in _VISITOR_KERNELS:
            asyncio.get_event_loop().call_later(grace, _shut_down_if_gone, self, kernel_id, grace, log)

    MappingKernelManager.notify_connect = notify_connect  # type: ignore[method-assign]
    MappingKernelManager.notify_disconnect = notify_disconnect  # type: ignore[method-assign]


def _shut_down_if_gone(km, kernel_id: str, grace: float, log) -> None:
    import asyncio

    from jupyter_core.utils import ensure_async

    if kernel_id not in km.list_kernel_ids() or km._kernel_connections.get(kernel_id, 0) > 0:
        return  # shut down already, or its page came back
    if getattr(km.get_kernel(kernel_id), "execution_state", None) == "busy":
        asyncio.get_event_loop().call_later(grace, _shut_down_if_gone, km, kernel_id, grace, log)
        return
    log.info("cxlab: kernel %s shut down: its page has been gone for %.0f s", kernel_id, grace)
    _VISITOR_KERNELS.discard(kernel_id)
    _CONNECTED_ONCE.discard(kernel_id)
    task = asyncio.ensure_future(ensure_async(km.shutdown_kernel(kernel_id)))
    _SHUTTING_DOWN.add(task)  # held until done: the loop keeps only a weak reference
    task.add_done_callback(_SHUTTING_DOWN.discard)


async def reclaim_kernels(km, log) -> int:
    """Shut down the visitors' kernels whose page is gone; how many.

    Run when the kernel cap is reached, before a visitor is refused: a page
    closed without its shutdown request (a browser killed, a tab discarded)
    would otherwise hold its kernel until the culler's turn.  Gone means no
    connection left after having had one, or none ever and idle for
    :data:`RECLAIM_NEVER_CONNECTED_SECONDS`; a busy kernel is kept.
    """
    from jupyter_core.utils import ensure_async
    from jupyter_server._tz import utcnow

    reclaimed = 0
    for kid in visitor_kernels(km):
        if km._kernel_connections.get(kid, 0) > 0:
            continue
        kernel = km.get_kernel(kid)
        if getattr(kernel, "execution_state", None) == "busy":
            continue
        idle = (utcnow() - kernel.last_activity).total_seconds() if hasattr(kernel, "last_activity") else 0.0
        if kid in _CONNECTED_ONCE or idle > RECLAIM_NEVER_CONNECTED_SECONDS:
            log.info("cxlab: kernel %s shut down: its page is gone and a visitor needs the room", kid)
            await ensure_async(km.shutdown_kernel(kid))
            _CONNECTED_ONCE.discard(kid)
            reclaimed += 1
    return reclaimed


def guard_query_socket(allowed: set[str]) -> None:
    """Let only the kernels (local addresses) wait on ``/voila/query/<kernel>``, and log when one does.

    Voila's socket that hands a preheated kernel its visitor's query asks
    for no token; whoever connected first for a kernel's id would get the
    query in its place.  Kernel ids are not guessable, and this keeps even
    a leaked one useless from another machine.  The log line says that a
    kernel is ready for a visitor.
    """
    from voila.request_info_handler import RequestInfoSocketHandler

    original = RequestInfoSocketHandler.open
    log = logging.getLogger("Voila")

    def open(self, kernel_id: str) -> None:
        if self.request.remote_ip not in allowed:
            log.warning("cxlab: refused a query socket from %s", self.request.remote_ip)
            self.close(code=1008)
            return
        log.info("cxlab: preheated kernel %s is ready and waits for a visitor", kernel_id)
        if not _ANNOUNCED:
            _ANNOUNCED.append(kernel_id)
            log.info("cxlab: dashboard ready: the link printed above opens in seconds now")
        original(self, kernel_id)

    RequestInfoSocketHandler.open = open
