package pyfsjvm.platform;

import pyfsjvm.bridge.Log;

/**
 * Picks the platform layer once per JVM: the FFM layer on Linux with JDK >= 22 when it loads,
 * otherwise NIO. {@code PYFS_JVM_PLATFORM=nio} (system property {@code pyfsjvm.platform}) forces
 * NIO, which the tests use to run both layers on one JDK. The FFM layer is only tried when the JVM
 * was started with native access enabled for us (pyfs_jvm sets {@code pyfsjvm.nativeAccess=true}
 * when it passes {@code --enable-native-access}); otherwise every downcall would print a warning.
 */
final class PlatformHolder {
    private PlatformHolder() {}

    static final Platform INSTANCE = select();

    private static Platform select() {
        String forced = System.getProperty("pyfsjvm.platform", System.getenv("PYFS_JVM_PLATFORM"));
        if ("nio".equals(forced)) {
            return new NioPlatform();
        }
        boolean linux = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
        boolean nativeAccess = Boolean.getBoolean("pyfsjvm.nativeAccess");
        if (linux && nativeAccess && Runtime.version().feature() >= 22) {
            try {
                Class<?> c = Class.forName("pyfsjvm.platform.ffm.LinuxFfmPlatform");
                return (Platform) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                Log.log(Log.WARNING, "platform", "FFM platform layer unavailable, using NIO: " + e, null);
            }
        }
        return new NioPlatform();
    }
}
