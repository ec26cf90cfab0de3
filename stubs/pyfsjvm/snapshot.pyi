from .bridge import JBytes, Task

class SnapshotTask(Task):
    STAGES: list[str]
    def drainProgress(self) -> list[int]: ...
    def result(self) -> list[JBytes]: ...

class SnapshotApi:
    @staticmethod
    def start(root: bytes, algorithm: str, skipHidden: bool, glob: str | None, maxDepth: int, follow: bool,
              workers: int, only: bytes | None) -> SnapshotTask: ...
