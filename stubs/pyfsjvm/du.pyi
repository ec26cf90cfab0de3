from .bridge import JBytes, Task

class DuTask(Task):
    def result(self) -> list[JBytes]: ...

class DuApi:
    @staticmethod
    def start(root: bytes, maxDepth: int, skipHidden: bool, follow: bool, glob: str | None, threads: int,
              fileThreshold: int) -> DuTask: ...
