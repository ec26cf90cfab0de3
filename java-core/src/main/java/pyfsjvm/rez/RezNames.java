package pyfsjvm.rez;

/** rez's name rules, on raw bytes (rez matches them against ASCII-only patterns). */
public final class RezNames {
    private RezNames() {}

    private static final byte[] PYCACHE = "__pycache__".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * {@code rez.utils.formatting.is_valid_package_name}: matches
     * {@code ^[a-zA-Z_0-9](\.?[a-zA-Z0-9_]+)*\Z} and is not {@code __pycache__}. That is: ASCII
     * letters, digits and '_', with single dots only between them.
     */
    public static boolean isValidPackageName(byte[] b, int s, int len) {
        if (len == 0 || b[s] == '.' || b[s + len - 1] == '.') {
            return false;
        }
        for (int k = s; k < s + len; k++) {
            byte c = b[k];
            if (c == '.') {
                if (b[k - 1] == '.') {
                    return false;
                }
            } else if (!isWordChar(c)) {
                return false;
            }
        }
        return !java.util.Arrays.equals(b, s, s + len, PYCACHE, 0, PYCACHE.length);
    }

    static boolean isWordChar(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
