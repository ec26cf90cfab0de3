package pyfsjvm.bridge;

import pyfsjvm.hash.HashApi;
import pyfsjvm.platform.Platform;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code pyfs_jvm.runtime_info()} reports about the Java side. */
public final class RuntimeInfo {
    private RuntimeInfo() {}

    /** A flat JSON object (Python parses it with json.loads). */
    public static String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jdk_version", System.getProperty("java.version"));
        m.put("jdk_feature", Runtime.version().feature());
        m.put("jdk_vendor", System.getProperty("java.vendor"));
        m.put("java_home", System.getProperty("java.home"));
        m.put("vm", System.getProperty("java.vm.name"));
        Platform p = Platform.get();
        m.put("platform_layer", p.name());
        m.put("exact_names", p.exactNames());
        m.put("allocated_sizes", p.hasBlocks());
        m.put("simd", simdSpecies());
        m.put("blake3_kernel", HashApi.blake3Kernel());
        m.put("blake3_register_rounds", HashApi.blake3RegisterRounds());
        m.put("workers", Workers.count());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        m.put("file_encoding", System.getProperty("sun.jnu.encoding"));
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v == null) {
                sb.append("null");
            } else if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else {
                sb.append('"').append(v.toString().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }

    /** "512-bit (16 int lanes)" when the Vector API is usable, else null. */
    static String simdSpecies() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            Class<?> iv = Class.forName("jdk.incubator.vector.IntVector");
            Object species = iv.getField("SPECIES_PREFERRED").get(null);
            Class<?> vs = Class.forName("jdk.incubator.vector.VectorSpecies");
            int bits = (int) vs.getMethod("vectorBitSize").invoke(species);
            int lanes = (int) vs.getMethod("length").invoke(species);
            return bits + "-bit (" + lanes + " int lanes)";
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}
