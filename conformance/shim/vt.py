# fwsim's virtual-time shim for MicroPython's asyncio. It is put before any program, and must
# run before `asyncio` is imported. It installs:
#   * a `time` module whose ticks_ms() is a virtual clock (wrap-aware ticks_add/ticks_diff),
#   * `_asyncio.TaskQueue` and `_asyncio.Task` in Python, with the C module's semantics: the
#     C versions take `ticks_ms()` from the real clock when a push has no key, and in
#     `Task.cancel`; these take it from the virtual one. The queue pops the minimum of
#     (key under ticks_diff, push sequence): what the C pairing heap does (SEMANTICS.md A.2,
#     and checked against it by `validate_queue` below in CI),
#   * a loop wait (`IOQueue.wait_io_event`) that advances the clock instead of sleeping and
#     reports a deadlock where the real loop would spin for ever.
import sys

PERIOD = 1 << 30  # the ticks period of 32-bit MCU ports
HALF = PERIOD >> 1


class _Clock:
    now = 0


def ticks_ms():
    return _Clock.now


# One-shot interrupts: (time, sequence, handler), earliest first. A handler runs at its time,
# also in the middle of a busy section, and sets what an ISR sets (a ThreadSafeFlag).
_isrs = []


def schedule_isr(after_ms, handler):
    at = ticks_add(_Clock.now, after_ms)
    i = len(_isrs)
    while i > 0 and ticks_diff(at, _isrs[i - 1][0]) < 0:
        i -= 1
    _isrs.insert(i, (at, handler))


def _run_isrs_until(limit):
    # Runs the handlers due at or before `limit`, each at its own time.
    while _isrs and ticks_diff(_isrs[0][0], limit) <= 0:
        at, handler = _isrs.pop(0)
        if ticks_diff(at, _Clock.now) > 0:
            _Clock.now = at
        handler()


def busy(ms):
    # A blocking section (time.sleep_ms, a blocking driver call): the clock moves, no task runs,
    # interrupts due meanwhile run at their times.
    target = ticks_add(_Clock.now, ms)
    _run_isrs_until(target)
    _Clock.now = target


def ticks_add(a, d):
    if not -HALF < d < HALF:
        raise OverflowError("ticks interval overflow")
    return (a + d) & (PERIOD - 1)


def ticks_diff(a, b):
    return ((a - b + HALF) & (PERIOD - 1)) - HALF


class _Module:
    pass


_time = _Module()
_time.ticks_ms = ticks_ms
_time.ticks_add = ticks_add
_time.ticks_diff = ticks_diff
sys.modules["time"] = _time


class TaskQueue:
    def __init__(self):
        self._q = []

    def peek(self):
        return self._q[0] if self._q else None

    def push(self, v, key=None):
        v.ph_key = ticks_ms() if key is None else key
        v.data = None
        q = self._q
        i = len(q)
        # After every queued key that is not later: equal keys pop in push order.
        while i > 0 and ticks_diff(v.ph_key, q[i - 1].ph_key) < 0:
            i -= 1
        q.insert(i, v)

    def pop(self):
        if not self._q:
            raise IndexError("empty heap")
        return self._q.pop(0)

    def remove(self, v):
        for i in range(len(self._q)):
            if self._q[i] is v:
                del self._q[i]
                return


class Task:
    def __init__(self, coro, context=None):
        self.coro = coro
        self.data = None
        self.state = True
        self.ph_key = 0
        self._ctx = context

    def __iter__(self):
        if not self.state:
            self.state = False  # done, and now awaited
        elif self.state is True:
            self.state = TaskQueue()  # running: make the awaiters' queue
        elif type(self.state) is not TaskQueue:
            raise RuntimeError("can't wait")
        return self

    def __next__(self):
        if not self.state:
            raise self.data  # StopIteration(result) or the task's exception
        cur = self._ctx["cur_task"]
        self.state.push(cur)
        cur.data = self

    def done(self):
        return not self.state

    def cancel(self):
        if not self.state:
            return False
        ctx = self._ctx
        if self is ctx["cur_task"]:
            raise RuntimeError("can't cancel self")
        t = self
        while isinstance(t.data, Task):  # forwarded to the task it awaits
            t = t.data
        q = ctx["_task_queue"]
        if hasattr(t.data, "remove"):
            t.data.remove(t)
            q.push(t)
        elif ticks_diff(t.ph_key, ticks_ms()) > 0:
            q.remove(t)
            q.push(t)
        t.data = ctx["CancelledError"]
        return True


_asyncio = _Module()
_asyncio.TaskQueue = TaskQueue
_asyncio.Task = Task
import _asyncio as _real_asyncio  # noqa: E402  (the C module, kept for validate_queue)

sys.modules["_asyncio"] = _asyncio

import asyncio  # noqa: E402  (must come after the replacements above)
import asyncio.core as _core  # noqa: E402


class Deadlock(BaseException):
    pass


_poll_io = _core.IOQueue.wait_io_event


def _wait_io_event(self, dt):
    # dt: ms until the queue's head is due (0: due now), or -1: no task queued, wait for IO
    # (the loop pops a task as soon as this returns).
    _run_isrs_until(_Clock.now)  # interrupts due already (armed with a delay of 0)
    if _core._task_queue.peek() is None and not self.map:
        # The real loop spins here for ever (main can never run again).
        raise Deadlock()
    if dt < 0:
        # Only IO can wake a task: interrupt after interrupt until one does.
        _poll_io(self, 0)
        while _core._task_queue.peek() is None:
            if not _isrs:
                raise Deadlock()  # the real loop waits for ever
            _run_isrs_until(_isrs[0][0])
            _poll_io(self, 0)
        return
    # A flag set already (by an interrupt during a busy section) ends the wait at once, as the
    # real poll returns as soon as a stream is ready.
    _poll_io(self, 0)
    head = _core._task_queue.peek()
    if dt == 0 or (head is not None and ticks_diff(head.ph_key, _Clock.now) <= 0):
        return
    nxt = ticks_diff(_isrs[0][0], _Clock.now) if _isrs else None
    if nxt is not None and nxt < dt:
        # An interrupt comes first: the clock moves to it and its handler runs (the loop
        # computes the rest of its wait again).
        _run_isrs_until(_isrs[0][0])
    else:
        _Clock.now = ticks_add(_Clock.now, dt)
    # The real poll, without waiting: a flag an interrupt set makes its waiting task ready.
    _poll_io(self, 0)


_core.IOQueue.wait_io_event = _wait_io_event


class Failed(Exception):
    # What a program's failing gather child raises.
    pass


class Message:
    # The toolkit's `threadsafe/message.py` refuses to load on the unix port, so the programs
    # use this model of its algorithm (PRIMITIVES.md: with the guard removed it runs): the
    # first waiter (while no other holds that role) yields, waits on a ThreadSafeFlag and then
    # sets the event; the others wait on the event; `set` sets the event, then the flag. The
    # cancel path (a helper task that takes the flag over) is left out: the programs never
    # cancel a waiter.
    def __init__(self):
        self._event = asyncio.Event()
        self._flag = asyncio.ThreadSafeFlag()
        self._flag_taken = False

    def set(self):
        self._event.set()
        self._flag.set()

    def clear(self):
        self._event.clear()

    async def wait(self):
        if self._flag_taken:
            await self._event.wait()
            return
        self._flag_taken = True
        await asyncio.sleep(0)
        await self._flag.wait()
        self._event.set()
        self._flag_taken = False


def run_program(start, build, marks):
    # Runs one program (`build()` returns its main coroutine function) from virtual time
    # `start`, on a fresh event loop; prints its outcome as a JSON line.
    import json

    asyncio.new_event_loop()
    _Clock.now = start
    del _isrs[:]
    del marks[:]
    end = "done"
    try:
        asyncio.run(build()())
    except Deadlock:
        end = "deadlock"
    except Exception as e:
        end = "error: " + repr(e)
    print(json.dumps({"marks": marks, "end": end}))


def validate_queue(seed, ops, key_base):
    # Drives the interpreter's own C TaskQueue and this TaskQueue with the same random
    # push/pop/remove sequence (explicit keys, near `key_base`, possibly across the wrap);
    # prints the two pop sequences as one JSON line. The C queue compares with the
    # interpreter's own ticks period (2^62 on the 64-bit unix port), so the shim's queue
    # uses that period here.
    import json
    import random

    global PERIOD, HALF
    PERIOD = 1 << 62
    HALF = PERIOD >> 1
    random.seed(seed)
    cq = _real_asyncio.TaskQueue()
    pq = TaskQueue()

    async def nothing():
        pass

    c_tasks, p_tasks, live = [], [], []
    c_pops, p_pops = [], []
    for _ in range(ops):
        r = random.getrandbits(4)
        if r < 8 or not live:
            i = len(c_tasks)
            c_tasks.append(_real_asyncio.Task(nothing(), _core.__dict__))
            p_tasks.append(Task(nothing(), _core.__dict__))
            key = ticks_add(key_base, random.getrandbits(3))
            cq.push(c_tasks[i], key)
            pq.push(p_tasks[i], key)
            live.append(i)
        elif r < 13:
            c = cq.pop()
            p = pq.pop()
            ci, pi = c_tasks.index(c), p_tasks.index(p)
            c_pops.append(ci)
            p_pops.append(pi)
            if ci in live:
                live.remove(ci)
        else:
            i = live[random.getrandbits(8) % len(live)]
            cq.remove(c_tasks[i])
            pq.remove(p_tasks[i])
            live.remove(i)
    while cq.peek():
        c_pops.append(c_tasks.index(cq.pop()))
    while pq.peek():
        p_pops.append(p_tasks.index(pq.pop()))
    print(json.dumps({"c": c_pops, "py": p_pops}))
