package pyfsjvm.platform;

import pyfsjvm.bridge.FsException;

/**
 * The operating-system calls every family goes through. Two layers implement it: {@link NioPlatform}
 * (portable NIO, any JDK >= 17, any OS) and, on Linux with JDK >= 22, the FFM layer
 * ({@code pyfsjvm.platform.ffm.LinuxFfmPlatform}: getdents64 with d_type, statx, raw-byte names).
 * Both pass the same tests; {@link #get()} picks one per JVM and {@code runtime_info()} shows which.
 *
 * <p>Paths are raw bytes throughout (DESIGN.md): Python passes {@code os.fsencode(path)} and gets
 * back exactly the bytes the kernel returned.
 */
public interface Platform {
    /** Stat each entry (lstat, or stat with {@link #WANT_FOLLOW}). Without it only types are filled. */
    int WANT_STAT = 1;
    /** Take the type and stat of a symlink's target; a broken link keeps its own lstat. */
    int WANT_FOLLOW = 2;

    /** "ffm-linux" or "nio". */
    String name();

    /** True when names and paths are exact raw bytes in both directions. */
    boolean exactNames();

    /** True when {@link Stat#blocks} is known. */
    boolean hasBlocks();

    /**
     * Reads directory {@code dir} into {@code out} (cleared first), without "." and "..".
     * Entry types are always filled (from d_type or a stat); per-entry failures go to
     * {@link DirListing#errno}. Failing to open or read the directory itself throws.
     */
    void readDirectory(byte[] dir, int want, DirListing out) throws FsException;

    /** {@code stat} ({@code follow}) or {@code lstat} of {@code path} into {@code out}. */
    void stat(byte[] path, boolean follow, Stat out) throws FsException;

    /** A direct file copy that beats NIO, or null when this layer has none (callers then use NIO). */
    default NativeCopy nativeCopy() {
        return null;
    }

    /** The platform layer for this JVM. */
    static Platform get() {
        return PlatformHolder.INSTANCE;
    }
}
