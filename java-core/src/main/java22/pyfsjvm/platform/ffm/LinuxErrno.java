package pyfsjvm.platform.ffm;

/** Linux errno numbers (the generic table shared by x86_64 and aarch64) to Python's names. */
final class LinuxErrno {
    private LinuxErrno() {}

    private static final String[] NAMES = new String[134];

    static {
        String[] pairs = {
            "1", "EPERM", "2", "ENOENT", "3", "ESRCH", "4", "EINTR", "5", "EIO", "6", "ENXIO", "7", "E2BIG",
            "8", "ENOEXEC", "9", "EBADF", "10", "ECHILD", "11", "EAGAIN", "12", "ENOMEM", "13", "EACCES",
            "14", "EFAULT", "15", "ENOTBLK", "16", "EBUSY", "17", "EEXIST", "18", "EXDEV", "19", "ENODEV",
            "20", "ENOTDIR", "21", "EISDIR", "22", "EINVAL", "23", "ENFILE", "24", "EMFILE", "25", "ENOTTY",
            "26", "ETXTBSY", "27", "EFBIG", "28", "ENOSPC", "29", "ESPIPE", "30", "EROFS", "31", "EMLINK",
            "32", "EPIPE", "36", "ENAMETOOLONG", "38", "ENOSYS", "39", "ENOTEMPTY", "40", "ELOOP",
            "61", "ENODATA", "75", "EOVERFLOW", "84", "EILSEQ", "95", "EOPNOTSUPP", "110", "ETIMEDOUT",
            "116", "ESTALE", "121", "EREMOTEIO", "122", "EDQUOT", "125", "ECANCELED",
        };
        for (int i = 0; i < pairs.length; i += 2) {
            NAMES[Integer.parseInt(pairs[i])] = pairs[i + 1];
        }
    }

    static String name(int errno) {
        String n = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return n != null ? n : "EIO";
    }
}
