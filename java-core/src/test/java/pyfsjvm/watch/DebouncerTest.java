package pyfsjvm.watch;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coalescing rules of notify-debouncer-full 0.3 (pyfs-watcher spec 3.4), one by one. */
class DebouncerTest {
    private static final long T = 100;
    private final Debouncer d = new Debouncer(T);

    private static PathKey p(String s) {
        return new PathKey(s.getBytes(StandardCharsets.UTF_8));
    }

    private void add(Debouncer.Kind k, String path, long time) {
        add(k, path, time, 0);
    }

    private void add(Debouncer.Kind k, String path, long time, int cookie) {
        d.add(new Debouncer.Event(k, p(path), null, time, time, cookie, false));
    }

    private List<String> emit(long now) {
        return d.expired(now, false).stream().map(Debouncer.Event::toString).toList();
    }

    @Test
    void eventsWaitUntilTheyAreDue() {
        add(Debouncer.Kind.CREATE, "/r/a", 0);
        assertEquals(T, d.nextDeadline());
        assertEquals(List.of(), emit(T - 1));
        assertEquals(List.of("CREATE /r/a"), emit(T));
        assertTrue(d.isEmpty());
        assertEquals(Long.MAX_VALUE, d.nextDeadline());
    }

    @Test
    void modifyAfterCreateIsCreated() {
        add(Debouncer.Kind.CREATE, "/r/a", 0);
        add(Debouncer.Kind.MODIFY_DATA, "/r/a", 1);
        add(Debouncer.Kind.CREATE, "/r/a", 2);
        assertEquals(List.of("CREATE /r/a"), emit(1000));
    }

    @Test
    void createThenRemoveIsNothing() {
        add(Debouncer.Kind.CREATE, "/r/a", 0);
        add(Debouncer.Kind.REMOVE, "/r/a", 1);
        assertEquals(List.of(), emit(1000));
    }

    @Test
    void removingADirectoryDropsItsChildren() {
        add(Debouncer.Kind.MODIFY_DATA, "/r/d/x", 0);
        add(Debouncer.Kind.REMOVE, "/r/d/x", 1);
        add(Debouncer.Kind.REMOVE, "/r/d", 2);
        add(Debouncer.Kind.MODIFY_DATA, "/r/dd", 3); // a sibling whose name starts alike stays
        assertEquals(List.of("REMOVE /r/d", "MODIFY_DATA /r/dd"), emit(1000));
    }

    @Test
    void sameKindKeepsTheLastAndKindsStaySeparate() {
        add(Debouncer.Kind.MODIFY_DATA, "/r/a", 0);
        add(Debouncer.Kind.MODIFY_META, "/r/a", 1);
        add(Debouncer.Kind.MODIFY_DATA, "/r/a", 2);
        assertEquals(List.of("MODIFY_META /r/a", "MODIFY_DATA /r/a"), emit(1000));
    }

    @Test
    void aRenamePairBecomesOneEventCarryingTheSourceQueue() {
        add(Debouncer.Kind.MODIFY_DATA, "/r/a", 0);
        add(Debouncer.Kind.RENAME_FROM, "/r/a", 1, 7);
        add(Debouncer.Kind.RENAME_TO, "/r/b", 1, 7);
        assertEquals(List.of("RENAME_BOTH /r/a -> /r/b", "MODIFY_DATA /r/b"), emit(1000));
    }

    @Test
    void unpairedRenamesStayHalves() {
        add(Debouncer.Kind.RENAME_FROM, "/r/a", 0, 7);
        add(Debouncer.Kind.RENAME_TO, "/r/b", 1, 8);
        assertEquals(List.of("RENAME_FROM /r/a", "RENAME_TO /r/b"), emit(1000));
    }

    @Test
    void aCreatedFileRenamedIsCreatedUnderItsNewName() {
        add(Debouncer.Kind.CREATE, "/r/tmp", 0);
        add(Debouncer.Kind.RENAME_FROM, "/r/tmp", 1, 3);
        add(Debouncer.Kind.RENAME_TO, "/r/final", 1, 3);
        assertEquals(List.of("CREATE /r/final"), emit(1000));
    }

    @Test
    void flushAllIgnoresAge() {
        add(Debouncer.Kind.CREATE, "/r/a", 0);
        assertEquals(1, d.expired(0, true).size());
    }
}
