# Type stubs for the Java core as the Python facade sees it through JPype (the "bridge surface").
# Only what pyfs_jvm calls is declared. Java byte[] arrive as JArray objects that support the
# buffer protocol; they are typed as JBytes here. Keep in sync with java-core/src/main/java/pyfsjvm.
