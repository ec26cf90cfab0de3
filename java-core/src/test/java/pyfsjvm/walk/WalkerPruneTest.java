package pyfsjvm.walk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pyfsjvm.bridge.Cancel;
import pyfsjvm.platform.FileType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The late-pruning and per-directory hooks os.walk-style consumers (pyfsjvm.pwalk) rely on. */
class WalkerPruneTest {
    @TempDir
    Path tmp;

    @Test
    void descendFalseDropsReadAheadSubtreesAndEnterSeesWholeDirectories() throws IOException {
        Path root = tmp.resolve("r");
        for (int k = 0; k < 50; k++) {
            Files.createDirectories(root.resolve("d" + k + "/x/y"));
            Files.writeString(root.resolve("d" + k + "/x/y/f"), "f");
        }
        for (int threads : new int[] {0, 4}) {
            List<String> entered = new ArrayList<>();
            List<String> entries = new ArrayList<>();
            WalkSpec spec = new WalkSpec(root.toString().getBytes(StandardCharsets.UTF_8)).threads(threads)
                    .bufferedEntries(8)
                    .tagger((parent, i) -> parent.depth() + 1);
            Walker.walk(spec, new Cancel(), new Walker.Visitor() {
                @Override
                public void entry(Dir parent, int i) {
                    entries.add(new String(parent.childPath(i), StandardCharsets.UTF_8));
                }

                @Override
                public void enter(Dir d) {
                    entered.add(new String(d.path(), StandardCharsets.UTF_8));
                    if (d.depth() > 0) {
                        assertEquals(d.depth(), d.tag());
                    }
                    for (int i = 0; i < d.listing().count(); i++) {
                        assertEquals(d.listing().type(i) == FileType.DIR, d.descends(i));
                    }
                }

                @Override
                public boolean descend(Dir child) {
                    // keep only the even top-level directories
                    String p = new String(child.path(), StandardCharsets.UTF_8);
                    return child.depth() != 1 || Integer.parseInt(p.substring(p.lastIndexOf('d') + 1)) % 2 == 0;
                }
            });
            assertEquals(1 + 25 * 3, entered.size(), "root + 25 kept subtrees of 3 directories");
            assertTrue(entered.stream().noneMatch(p -> p.matches(".*/d\\d*[13579](/.*)?$")));
            assertEquals(50 + 25 * 3, entries.size());
        }
    }
}
