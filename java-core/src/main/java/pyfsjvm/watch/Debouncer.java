package pyfsjvm.watch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coalescing rules of notify-debouncer-full 0.3, which pyfs-watcher users see (spec 3.4),
 * ported rule for rule: one queue of events per path; an event is emitted once it is
 * {@code timeout} old; within one emission only the last event of each kind per path is kept;
 * modify (or a second create) after create is dropped; create then remove is nothing at all;
 * removing a directory drops the queued events below it; a MOVED_FROM/MOVED_TO pair (same cookie)
 * becomes one RENAME_BOTH event with both paths, which carries the source path's queue along.
 *
 * <p>Unlike the reference there is no tick thread: {@link #nextDeadline()} tells the watcher how
 * long it may sleep, so nothing runs while nothing is pending (and timeout 0 does not spin).
 * Not thread-safe: the watcher's thread owns it.
 */
final class Debouncer {
    enum Kind { CREATE, MODIFY_DATA, MODIFY_META, ACCESS, REMOVE, RENAME_FROM, RENAME_TO, RENAME_BOTH, OVERFLOW }

    /** One pending event. {@code path2} is the target of a RENAME_BOTH ({@code path} its source). */
    static final class Event {
        final Kind kind;
        PathKey path;
        final PathKey path2;
        final long time;  // System.nanoTime() when observed
        final long wall;  // epoch nanoseconds when observed
        final int cookie;
        final boolean dir;

        Event(Kind kind, PathKey path, PathKey path2, long time, long wall, int cookie, boolean dir) {
            this.kind = kind;
            this.path = path;
            this.path2 = path2;
            this.time = time;
            this.wall = wall;
            this.cookie = cookie;
            this.dir = dir;
        }

        /** The path an event is filed under: a rename's target (the reference sorts by the last path). */
        PathKey last() {
            return path2 != null ? path2 : path;
        }

        Event withPath(PathKey p) {
            return new Event(kind, p, path2, time, wall, cookie, dir);
        }

        @Override
        public String toString() {
            return kind + " " + path + (path2 != null ? " -> " + path2 : "");
        }
    }

    private static final class Queue {
        final ArrayDeque<Event> events = new ArrayDeque<>(2);

        boolean wasCreated() {
            Event f = events.peekFirst();
            return f != null && (f.kind == Kind.CREATE || f.kind == Kind.RENAME_TO);
        }

        boolean wasRemoved() {
            Event f = events.peekFirst();
            return f != null && (f.kind == Kind.REMOVE || f.kind == Kind.RENAME_FROM);
        }
    }

    private final long timeout;
    private final LinkedHashMap<PathKey, Queue> queues = new LinkedHashMap<>();
    private Event renameFrom;
    /**
     * No event is due before this (it may be earlier than needed, never later), so that the
     * watcher's loop does not scan every queue after every read during a burst.
     */
    private long earliest = Long.MAX_VALUE;

    Debouncer(long timeoutNanos) {
        this.timeout = timeoutNanos;
    }

    boolean isEmpty() {
        return queues.isEmpty();
    }

    /** Adds one observed event (the reference's {@code add_event}). */
    void add(Event e) {
        earliest = Math.min(earliest, e.time + timeout);
        switch (e.kind) {
            case CREATE -> push(e);
            case RENAME_FROM -> {
                renameFrom = e;
                push(e);
            }
            case RENAME_TO -> renameTo(e);
            case REMOVE -> pushRemove(e);
            default -> push(e);
        }
    }

    private void renameTo(Event e) {
        Event from = renameFrom;
        renameFrom = null;
        if (from != null && from.cookie != 0 && from.cookie == e.cookie) {
            pushRename(from.path, e, from.time, from.wall);
        } else {
            push(e); // moved in from outside
        }
    }

    private void pushRename(PathKey source, Event to, long time, long wall) {
        Queue src = queues.remove(source);
        if (src == null) {
            src = new Queue();
        }
        src.events.pollLast(); // the RENAME_FROM just pushed
        PathKey original = source;
        long originalTime = time;
        long originalWall = wall;
        for (Iterator<Event> it = src.events.iterator(); it.hasNext(); ) { // renamed before: keep the first source
            Event e = it.next();
            if (e.kind == Kind.RENAME_BOTH) {
                original = e.path;
                originalTime = e.time;
                originalWall = e.wall;
                it.remove();
                break;
            }
        }
        if (src.wasRemoved()) { // a remove/move-out queued on the source stays with the source path
            Event first = src.events.pollFirst();
            Queue q = new Queue();
            q.events.add(first);
            queues.put(first.path, q);
        }
        ArrayDeque<Event> moved = new ArrayDeque<>(src.events.size() + 2);
        for (Event e : src.events) {
            moved.add(e.withPath(to.path));
        }
        Queue target = new Queue();
        target.events.addAll(moved);
        if (!target.wasCreated()) {
            target.events.addFirst(new Event(Kind.RENAME_BOTH, original, to.path, originalTime, originalWall, 0, to.dir));
        }
        Queue existing = queues.get(to.path);
        if (existing != null && !existing.wasCreated()) { // the rename replaced an existing file
            target.events.addFirst(new Event(Kind.REMOVE, to.path, null, originalTime, originalWall, 0, false));
        }
        queues.put(to.path, target);
    }

    private void pushRemove(Event e) {
        PathKey p = e.path;
        queues.entrySet().removeIf(en -> !en.getKey().equals(p) && en.getKey().within(p));
        Queue q = queues.get(p);
        if (q != null && q.wasCreated()) {
            queues.remove(p); // created and removed within one period: nothing happened
        } else if (q != null) {
            q.events.clear();
            q.events.add(e);
        } else {
            push(e);
        }
    }

    private void push(Event e) {
        Queue q = queues.get(e.path);
        if (q == null) {
            q = new Queue();
            q.events.add(e);
            queues.put(e.path, q);
            return;
        }
        boolean skip = switch (e.kind) { // duplicate creates, and modifications right after a create
            case MODIFY_DATA, MODIFY_META, CREATE -> q.wasCreated();
            default -> false;
        };
        if (!skip) {
            q.events.addLast(e);
        }
    }

    /** When the oldest pending event becomes due (System.nanoTime()), or Long.MAX_VALUE if none. */
    long nextDeadline() {
        return earliest;
    }

    /**
     * The events due at {@code now} (all of them when {@code flushAll}), merged per path and kind,
     * in observation order (events of one path keep their relative order).
     */
    List<Event> expired(long now, boolean flushAll) {
        List<Event> out = new ArrayList<>();
        if (!flushAll && now < earliest) {
            return out;
        }
        long next = Long.MAX_VALUE;
        for (Iterator<Map.Entry<PathKey, Queue>> it = queues.entrySet().iterator(); it.hasNext(); ) {
            Queue q = it.next().getValue();
            Map<Kind, Event> lastOfKind = new java.util.EnumMap<>(Kind.class);
            List<Event> mine = new ArrayList<>(q.events.size());
            while (!q.events.isEmpty()) {
                Event e = q.events.peekFirst();
                if (!flushAll && now - e.time < timeout) {
                    break;
                }
                q.events.pollFirst();
                Event prev = lastOfKind.put(e.kind, e);
                if (prev != null) {
                    mine.remove(prev); // only the last event of a kind survives one emission
                }
                mine.add(e);
            }
            out.addAll(mine);
            if (q.events.isEmpty()) {
                it.remove();
            } else {
                next = Math.min(next, q.events.peekFirst().time + timeout);
            }
        }
        earliest = next;
        // Paths in the order they were first touched; one path's events keep their own order
        // (the reference's comparator means the same, but is not a total order).
        Map<PathKey, Long> first = new java.util.HashMap<>();
        for (Event e : out) {
            first.merge(e.last(), e.time, Math::min);
        }
        out.sort((a, b) -> Long.compare(first.get(a.last()), first.get(b.last()))); // stable
        return out;
    }
}
