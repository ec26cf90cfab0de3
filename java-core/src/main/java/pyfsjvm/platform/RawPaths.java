package pyfsjvm.platform;

import pyfsjvm.bridge.FsException;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.Charset;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;

/**
 * Raw bytes to {@link Path} and back without a String in between.
 *
 * <p>On Unix an NIO path keeps the bytes the kernel gave it ({@code sun.nio.fs.UnixPath}), but the
 * public API only shows them decoded with {@code sun.jnu.encoding}, which loses every name that is
 * not valid in it (all non-ASCII names when the locale is C). With
 * {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} (passed by pyfs_jvm when it starts the JVM)
 * we reach the bytes directly and every name round-trips. Without it we fall back to the charset
 * and refuse, with {@code EILSEQ}, any name it cannot represent: never a silently wrong path.
 */
public final class RawPaths {
    private RawPaths() {}

    private static final FileSystem FS = FileSystems.getDefault();
    private static final MethodHandle NEW_PATH;
    private static final MethodHandle AS_BYTES;
    private static final Charset JNU = jnuCharset();

    static {
        MethodHandle ctor = null;
        MethodHandle bytes = null;
        try {
            Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
            Class<?> unixFs = Class.forName("sun.nio.fs.UnixFileSystem");
            if (unixFs.isInstance(FS)) {
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(unixPath, MethodHandles.lookup());
                ctor = l.findConstructor(unixPath, MethodType.methodType(void.class, unixFs, byte[].class))
                        .bindTo(FS).asType(MethodType.methodType(Path.class, byte[].class));
                bytes = l.findVirtual(unixPath, "asByteArray", MethodType.methodType(byte[].class))
                        .asType(MethodType.methodType(byte[].class, Path.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            ctor = null;
            bytes = null;
        }
        NEW_PATH = ctor;
        AS_BYTES = bytes;
    }

    /** True when names are exact in both directions on this JVM. */
    public static boolean exact() {
        return NEW_PATH != null;
    }

    /** The path for raw bytes. */
    public static Path path(byte[] raw) throws FsException {
        if (NEW_PATH != null) {
            try {
                return (Path) NEW_PATH.invokeExact(raw);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        try {
            String s = JNU.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            return FS.getPath(s);
        } catch (CharacterCodingException | RuntimeException e) {
            throw unrepresentable(raw);
        }
    }

    /** The raw bytes of a path (exactly as the kernel returned them for paths NIO listed). */
    public static byte[] bytes(Path p) throws FsException {
        if (AS_BYTES != null) {
            try {
                return (byte[]) AS_BYTES.invokeExact(p);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        String s = p.toString();
        try {
            ByteBuffer b = JNU.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            if (s.indexOf('\uFFFD') >= 0) { // the JDK replaced bytes it could not decode
                throw unrepresentable(out);
            }
            return out;
        } catch (CharacterCodingException e) {
            throw unrepresentable(s.getBytes(JNU));
        }
    }

    private static FsException unrepresentable(byte[] raw) {
        return new FsException("EILSEQ", raw, "name cannot be represented by this JVM's NIO (encoding "
                + JNU.name() + "); start the JVM with --add-opens java.base/sun.nio.fs=ALL-UNNAMED");
    }

    private static Charset jnuCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
