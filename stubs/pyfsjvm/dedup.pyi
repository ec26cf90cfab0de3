from .bridge import JBytes, Task

class DedupTask(Task):
    STAGES: list[str]
    def drainProgress(self) -> list[int]: ...
    def result(self) -> list[JBytes]: ...

class DedupApi:
    @staticmethod
    def start(paths: object, recursive: bool, minSize: int, algorithm: str, partialSize: int,
              workers: int) -> DedupTask: ...
