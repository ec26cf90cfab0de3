from .bridge import JBytes, Task

class DiffTask(Task):
    def stages(self) -> list[str]: ...

class SyncTask(Task):
    def events(self) -> JBytes: ...

class DiffApi:
    @staticmethod
    def diff(source: bytes, target: bytes, algorithm: str, compareContent: bool, skipHidden: bool,
             glob: str | None, maxDepth: int, detectMoves: bool, workers: int) -> DiffTask: ...
    @staticmethod
    def sync(source: bytes, target: bytes, algorithm: str, deleteExtra: bool, skipHidden: bool, glob: str | None,
             maxDepth: int, dryRun: bool, preserve: bool, checksum: bool, events: bool, workers: int) -> SyncTask: ...
    @staticmethod
    def algorithms() -> list[str]: ...
