from .bridge import JBytes, Task

class RezScan(Task):
    FAMILY: int
    FAMILY_PY: int
    FAMILY_YAML: int
    ERROR: int
    @staticmethod
    def start(roots: list[bytes], lockDirs: list[bytes | None], allowUnversioned: bool, strict: bool,
              useIgnore: bool, fileNames: list[bytes], versions: bool, threads: int) -> Task: ...  # result: [packages, families]
