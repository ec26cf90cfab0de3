package pyfsjvm.rename;

import com.google.re2j.Matcher;
import pyfsjvm.bridge.Columns;
import pyfsjvm.bridge.FsException;
import pyfsjvm.bridge.Task;
import pyfsjvm.search.RustRegex;
import pyfsjvm.walk.EntryTable;
import pyfsjvm.walk.Glob;
import pyfsjvm.walk.WalkSpec;

import java.util.Arrays;

/**
 * The first half of {@code bulk_rename}: walk, match and compute every new name, touching
 * nothing. Python (pyfs_jvm/_rename.py) then checks the plan for conflicts and applies it.
 *
 * <p>{@link #batch()} layout ({@link Columns} "ssiB"), one row per entry whose name the pattern
 * matches and changes, in walk order (depth-first, siblings by name): old path (raw bytes, the
 * root as given joined with the names), new name (raw bytes), depth (root's children = 1),
 * is-directory (1/0). {@link #skipped()} counts the entries the pattern did not match or did not
 * change, as the reference counts them.
 */
public final class RenamePlan extends Task<RenamePlan> {
    private final WalkSpec spec;
    private final RustRegex re;
    private final Replacement replacement;
    private final Glob glob;
    private final boolean includeDirs;
    private byte[] batch;
    private int skipped;
    private int errors;

    RenamePlan(WalkSpec spec, RustRegex re, Replacement replacement, Glob glob, boolean includeDirs) {
        this.spec = spec;
        this.re = re;
        this.replacement = replacement;
        this.glob = glob;
        this.includeDirs = includeDirs;
    }

    @Override
    protected RenamePlan compute() throws FsException {
        EntryTable t = EntryTable.collect(spec, EntryTable.FILES | (includeDirs ? EntryTable.DIRS : 0), glob, cancel);
        Columns out = new Columns("ssiB", Math.max(16, t.count()));
        Matcher m = re.pattern().matcher(new byte[0]);
        for (int i = 0; i < t.count(); i++) {
            if ((i & 1023) == 0) {
                cancel.check();
            }
            byte[] all = t.pathBytes(i);
            int ps = t.pathStart(i);
            int pe = ps + t.pathLength(i);
            int slash = pe - 1;
            while (slash >= ps && all[slash] != '/') {
                slash--;
            }
            byte[] name = Arrays.copyOfRange(all, slash + 1, pe);
            byte[] renamed = replacement.replaceAll(m, name);
            if (renamed == null || Arrays.equals(renamed, name)) {
                skipped++;
                continue;
            }
            int r = out.addRow();
            out.putString(0, all, ps, pe - ps);
            out.putString(1, renamed, 0, renamed.length);
            out.setInt(2, r, t.depth(i));
            out.setByte(3, r, (byte) (t.type(i) == pyfsjvm.platform.FileType.DIR ? 1 : 0));
        }
        errors = t.errors().size();
        batch = out.pack();
        return this;
    }

    public byte[] batch() {
        return batch;
    }

    public int skipped() {
        return skipped;
    }

    /** Directories that could not be read while walking (their entries are not in the plan). */
    public int walkErrors() {
        return errors;
    }
}
